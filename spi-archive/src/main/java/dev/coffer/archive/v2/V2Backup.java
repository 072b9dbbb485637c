package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * One opened version-2 backup: its authenticated commit, its data keys and its parsed, validated
 * manifest. Obtained from {@link V2ArchiveReader#open}; an incremental {@linkplain
 * V2ArchiveWriter#incremental is based on} one. Holds key material: {@link #close()} destroys it.
 */
public final class V2Backup implements AutoCloseable {

  private final CommitObject commit;
  private final V2Keys keys;
  private final V2Manifest manifest;
  private final V2Summary summary;
  private final ArchiveBlocks blocks;

  /** With {@code blocks} (and a null manifest) for a base opened for its blocks only. */
  V2Backup(
      CommitObject commit,
      V2Keys keys,
      V2Manifest manifest,
      V2Summary summary,
      ArchiveBlocks blocks) {
    this.commit = commit;
    this.keys = keys;
    this.manifest = manifest;
    this.summary = summary;
    this.blocks = blocks;
  }

  /**
   * What the backup's commit says of it.
   *
   * @return its summary
   */
  public V2Summary summary() {
    return summary;
  }

  /**
   * The backup's id.
   *
   * @return the id
   */
  public String backupId() {
    return summary.backupId();
  }

  /**
   * The relative paths of every regular file the backup holds, in manifest order.
   *
   * @return the paths
   */
  public List<String> filePaths() {
    List<String> out = new ArrayList<>();
    for (V2Manifest.FileEntry f : manifest.files()) {
      out.add(f.path());
    }
    return out;
  }

  CommitObject commit() {
    return commit;
  }

  CommitStatement statement() {
    return commit.statement();
  }

  V2Keys keys() {
    return keys;
  }

  /**
   * The manifest; null for a base opened for its blocks only ({@link V2ArchiveReader#openBlocks}).
   */
  V2Manifest manifest() {
    return manifest;
  }

  UUID archiveId() {
    return commit.statement().archiveId();
  }

  /** This backup as a chain table entry of an incremental based on it. */
  V2Manifest.ChainEntry asChainEntry() {
    return new V2Manifest.ChainEntry(
        backupId(),
        archiveId().toString(),
        HexFormat.of().formatHex(commit.statement().manifestSha256()));
  }

  /**
   * Every reference of the manifest's files to its own archive (index 0), to index that archive's
   * blocks.
   */
  List<BlockRef> ownRefs() throws CorruptBackupException {
    List<BlockRef> own = new ArrayList<>();
    for (V2Manifest.FileEntry f : manifest.files()) {
      for (BlockRef r : f.refs(manifest.chainSize(), manifest.blockSize())) {
        if (r.archiveIndex() == 0) {
          own.add(r);
        }
      }
    }
    return own;
  }

  ArchiveBlocks blocks() throws CorruptBackupException {
    if (blocks != null) {
      return blocks;
    }
    return ArchiveBlocks.of(
        archiveId(), statement().dataLengthBytes(), statement().blockSizeBytes(), ownRefs());
  }

  /** Destroys the data keys. */
  @Override
  public void close() {
    if (keys != null) { // a base from a host state ({@link HostState}) has no keys
      keys.destroy();
    }
  }

  @Override
  public String toString() {
    return "V2Backup[" + backupId() + "]";
  }
}
