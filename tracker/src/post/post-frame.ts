import type { BeaconAnswer, ServerMessage } from '../../../engine/protocol/index.js';
import type { PostFrame } from '../page-tw.js';

/** POSTs one frame's body; resolves to the engine's answer: the ack, then the error of each event it rejected. */
export const postFrame: PostFrame = (url, body) =>
  fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit' })
    .then((response) => response.json() as Promise<BeaconAnswer>)
    // The ack leaves out the events the engine rejected: their errors come with it.
    .then((answer) => ([answer] as ServerMessage[]).concat(answer.err || []));
