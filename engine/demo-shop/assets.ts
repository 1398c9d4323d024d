import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TripwireError } from '../errors.js';

export interface ShopAssets {
  stylesheet: string;
  script: string;
  icon: string;
}

/**
 * Read once at start-up. tsc does not copy non-TS files into dist/, so the assets are found
 * from the project root (the nearest folder with a package.json), which is the same whether
 * this module runs from engine/ under tsx or from dist/engine/ compiled.
 */
export function readShopAssets(dir: string = defaultAssetsDir()): ShopAssets {
  return {
    stylesheet: readAsset(join(dir, 'shop.css')),
    script: readAsset(join(dir, 'shop.js')),
    icon: readAsset(join(dir, 'icon.svg')),
  };
}

function defaultAssetsDir(): string {
  return join(projectRoot(dirname(fileURLToPath(import.meta.url))), 'engine', 'demo-shop', 'assets');
}

function projectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) {
      throw new TripwireError('TW_CONFIG_INVALID', `demo shop: no package.json above ${start}; pass assetsDir to DemoShop`);
    }
    dir = parent;
  }
  return dir;
}

function readAsset(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new TripwireError('TW_CONFIG_INVALID', `demo shop: cannot read ${path} (${(cause as Error).message}); pass assetsDir to DemoShop`, { cause });
  }
}
