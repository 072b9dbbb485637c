/**
 * Archive format 2 (docs/design/archive-v2.md): blocks sealed one by one, a manifest block table,
 * key slots that wrap a random per-archive data key, and the small commit object that publishes a
 * backup. Not exported: the types public here are reached only from {@code dev.coffer.archive}.
 */
package dev.coffer.archive.v2;
