/**
 * Apache Derby as a Coffer host: {@link dev.coffer.examples.derby.DerbyBackupSource} freezes a live
 * embedded database ({@code SYSCS_UTIL.SYSCS_FREEZE_DATABASE}) for the copy and unfreezes it when
 * the copy ends. {@code DerbyBackupExample} runs the whole cycle; see {@code
 * docs/host-integration.md}.
 */
package dev.coffer.examples.derby;
