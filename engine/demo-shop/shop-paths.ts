/** Every URL the shop serves, under one base path, so pages never spell a route by hand. */
export interface ShopPaths {
  base: string;
  home: string;
  cart: string;
  checkout: string;
  login: string;
  loginApi: string;
  stylesheet: string;
  script: string;
  icon: string;
  category(id: string): string;
  product(id: string): string;
  image(id: string): string;
  search: string;
}

export function shopPaths(base: string): ShopPaths {
  return {
    base,
    home: `${base}/`,
    cart: `${base}/cart`,
    checkout: `${base}/checkout`,
    login: `${base}/login`,
    loginApi: `${base}/api/login`,
    stylesheet: `${base}/assets/shop.css`,
    script: `${base}/assets/shop.js`,
    icon: `${base}/assets/icon.svg`,
    category: (id) => `${base}/c/${encodeURIComponent(id)}`,
    product: (id) => `${base}/p/${encodeURIComponent(id)}`,
    image: (id) => `${base}/img/${encodeURIComponent(id)}.svg`,
    search: `${base}/search`,
  };
}
