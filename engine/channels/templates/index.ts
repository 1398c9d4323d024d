export type { RenderedEmail, RenderOverrides, TemplateRendererOptions } from './template-renderer.js';
export { TemplateRenderer } from './template-renderer.js';
export { checkTemplates } from './check-templates.js';
export { checkScenarioEmails } from './scenario-email-check.js';
