/**
 * The {@code local} backup provider: plain, CRC32C-verified directory copies, published atomically,
 * compatible with the layout of AmateRS (amaters-core 0.2.0). Only {@link
 * dev.coffer.local.LocalBackupProvider} is public; see {@code docs/local.md} for the layout,
 * metadata and guarantees.
 */
package dev.coffer.local;
