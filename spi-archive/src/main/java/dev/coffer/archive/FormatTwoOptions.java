package dev.coffer.archive;

import dev.coffer.archive.v2.BlockSealer;
import dev.coffer.spi.OptionInfo;

/** The options only format 2 reads (the others are in {@link ArchiveBackupProvider#options()}). */
final class FormatTwoOptions {

  /** Option {@code block-size}: bytes per block of a new full backup. */
  static final OptionInfo BLOCK_SIZE =
      OptionInfo.integer(
          "block-size",
          "format 2: bytes per block of a new full backup, a power of two from 4096 to "
              + "1048576; an incremental keeps its base's block size (docs/archive-format.md §15)",
          BlockSealer.DEFAULT_BLOCK_SIZE_BYTES,
          4096,
          1048576);

  /** Option {@code leftover-hours}: when an open removes what a crashed writer left. */
  static final OptionInfo LEFTOVER_HOURS =
      OptionInfo.integer(
          "leftover-hours",
          "format 2: how many hours the objects of a backup without a commit (on an object "
              + "store) and a lease past its expiry are kept before an open removes them, 1 to "
              + "8760",
          24,
          1,
          8760);

  /** Option {@code max-chain}: when the next backup on a chain consolidates it. */
  static final OptionInfo MAX_CHAIN =
      OptionInfo.integer(
          "max-chain",
          "format 2: the most incrementals on one full backup; an incremental asked for on a base "
              + "that already has this many is written as a full backup whose unchanged files are "
              + "copied from the chain, not read again (so prune can then drop the old chain)",
          998,
          1,
          998);

  private FormatTwoOptions() {}
}
