package dev.coffer.archive.aedb;

/**
 * One file entry of an aedb {@code AEDBARC1} archive, as found by the header pass.
 *
 * @param index the entry's position in the archive, from 0 (part of aedb's nonce derivation)
 * @param path the relative path, already checked
 * @param payloadOffset the file offset of the payload's first byte
 * @param payloadBytes the payload's length in bytes (for an encrypted archive: nonce, ciphertext
 *     and tag)
 */
record AedbEntry(long index, String path, long payloadOffset, long payloadBytes) {}
