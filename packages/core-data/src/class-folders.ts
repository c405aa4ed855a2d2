/** Characters some file system refuses in a name (Windows' set includes all of POSIX's '/'). */
const UNSAFE = /[<>:"/\\|?*\x00-\x1f]/g;

/**
 * The folder name of each class, in class order: characters a file system refuses become '_' (Fashion-MNIST's
 * 'T-shirt/top' → 'T-shirt_top'), and a name equal to an earlier one but for case gets '_lower' or '_upper'
 * (EMNIST's 'a' beside 'A'), so that the folders stay apart on case-insensitive file systems (macOS, Windows).
 * Throws when two classes still share a folder.
 */
export function classFolders(classes: readonly string[]): string[] {
  const exact = new Set<string>();
  const folded = new Set<string>();
  return classes.map((name) => {
    let folder = name.replace(UNSAFE, '_').replace(/[. ]+$/, '') || '_';
    const clash = () => new TypeError(`class '${name}' needs the same folder name '${folder}' as another class`);
    if (exact.has(folder)) throw clash();
    if (folded.has(folder.toLowerCase())) folder += folder === folder.toLowerCase() ? '_lower' : '_upper';
    if (folded.has(folder.toLowerCase())) throw clash();
    exact.add(folder);
    folded.add(folder.toLowerCase());
    return folder;
  });
}
