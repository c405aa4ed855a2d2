// tfjs-node-loader.browser.ts replaces this file in a page (package.json's `browser` field).

/** Imports tfjs-node, turning its multi-line "addon not found" error into the one fact users need. */
export async function loadTfjsNode(): Promise<unknown> {
  try {
    return await import('@tensorflow/tfjs-node');
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/tfjs_binding\.node/.test(text)) throw new Error('@tensorflow/tfjs-node has no native binding here (libtensorflow was not downloaded when it installed)');
    if (/Cannot find (package|module)/.test(text)) throw new Error('@tensorflow/tfjs-node is not installed');
    throw error;
  }
}

