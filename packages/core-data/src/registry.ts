import { DatasetNotFoundError } from './errors.js';
import type { DatasetPlugin } from './plugin.js';
import { closestMatch } from './suggest.js';

/** Dataset plugins by name. The trainer resolves `data=<name>` through one of these. */
export class DatasetRegistry {
  readonly #plugins = new Map<string, DatasetPlugin>();

  constructor(plugins: Iterable<DatasetPlugin> = []) {
    for (const p of plugins) this.register(p);
  }

  /** Adds a plugin; a second plugin with a name already taken is refused, never silently replaced. */
  register(plugin: DatasetPlugin): this {
    if (this.#plugins.has(plugin.name)) {
      throw new DatasetNotFoundError(`dataset '${plugin.name}' is already registered; a plugin name must be unique`);
    }
    this.#plugins.set(plugin.name, plugin);
    return this;
  }

  has(name: string): boolean {
    return this.#plugins.has(name.toLowerCase());
  }

  /** The plugin called `name`; an unknown name fails with the known names and the closest one. */
  get(name: string): DatasetPlugin {
    const plugin = this.#plugins.get(name.toLowerCase());
    if (plugin) return plugin;
    const names = this.names();
    const near = closestMatch(name, names);
    const hint = near ? ` Did you mean '${near}'?` : '';
    throw new DatasetNotFoundError(`unknown dataset '${name}'.${hint} Known datasets: ${names.join(', ')} (or a folder path with train/ and val/ or test/).`);
  }

  names(): string[] {
    return [...this.#plugins.keys()].sort();
  }

  list(): DatasetPlugin[] {
    return this.names().map((n) => this.#plugins.get(n)!);
  }
}
