/**
 * Reads one region's keys with their aliases: the data the key manager, the encrypt form and the
 * regions view all show. Kept apart from any element so each can call it from its controller.
 */
import type { Kit } from '../client/kit.js';
import type { KeyMetadata } from '../kms/types.js';

export interface KeyEntry {
  readonly metadata: KeyMetadata;
  /** Alias names (`alias/notes`) pointing at this key in this region. */
  readonly aliases: readonly string[];
}

/**
 * Every key of `region` (ListKeys, then DescribeKey each) with its aliases, oldest first.
 *
 * @example
 * ```ts
 * const keys = await listRegionKeys(kit, 'us-east-1');
 * keys.filter((k) => k.metadata.Enabled).map((k) => k.aliases[0] ?? k.metadata.KeyId);
 * ```
 */
export async function listRegionKeys(kit: Kit, region: string, signal?: AbortSignal): Promise<KeyEntry[]> {
  const kms = kit.kms(region);
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.listKeys(marker ? { Marker: marker } : {});
    ids.push(...page.Keys.map((k) => k.KeyId));
    marker = page.Truncated ? page.NextMarker : undefined;
    signal?.throwIfAborted();
  } while (marker);
  const { Aliases } = await kms.listAliases({});
  const aliases = new Map<string, string[]>();
  for (const alias of Aliases) {
    if (!alias.TargetKeyId || alias.AliasName.startsWith('alias/aws/')) continue;
    aliases.set(alias.TargetKeyId, [...(aliases.get(alias.TargetKeyId) ?? []), alias.AliasName]);
  }
  const entries = await Promise.all(ids.map(async (id) => ({ metadata: (await kms.describeKey({ KeyId: id })).KeyMetadata, aliases: aliases.get(id) ?? [] })));
  signal?.throwIfAborted();
  return entries.sort((a, b) => new Date(a.metadata.CreationDate).getTime() - new Date(b.metadata.CreationDate).getTime());
}

/** How a key is named to people: its first alias, else its id. */
export function keyLabel(entry: KeyEntry): string {
  return entry.aliases[0] ?? entry.metadata.KeyId;
}

/** "primary" / "replica" / "single-Region" for a key's metadata. */
export function regionality(metadata: KeyMetadata): string {
  if (!metadata.MultiRegion) return 'single-Region';
  return metadata.MultiRegionConfiguration?.MultiRegionKeyType === 'REPLICA' ? 'multi-Region replica' : 'multi-Region primary';
}
