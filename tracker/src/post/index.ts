/**
 * tw-post.js: sends a frame by POST /e, fetched by tw.js only once its socket has failed to open
 * a few times in a row (a proxy or firewall blocking WebSockets); it hands itself over as tw.post.
 */
import { pageGlobals } from '../page-tw.js';
import { postFrame } from './post-frame.js';

if (pageGlobals.tw) pageGlobals.tw.post = postFrame;
