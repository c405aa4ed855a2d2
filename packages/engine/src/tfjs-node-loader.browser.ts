/** A page has no native TensorFlow: selectBackend goes on to wasm. */
export async function loadTfjsNode(): Promise<unknown> {
  throw new Error('@tensorflow/tfjs-node does not run in a browser');
}
