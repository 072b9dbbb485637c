package dev.coffer.archive.v2;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The own blocks of a base archive, read from its authenticated manifest without building the
 * manifest: a restore or verify of a chain's tip needs of each base only the blocks it stores
 * (references with archive index 0, to check the tip's references against), not its paths, times or
 * attributes. One streaming pass over the JSON takes {@code archive_id}, {@code block_size}, the
 * size of {@code archives} and each file's {@code size} and {@code blocks}; the block tables are
 * decoded and bounded as {@link BlockTable#decode} does for a full read, and the archive id and
 * block size must equal the commit's. The paths of a base are never used, so they are not checked
 * here (the base's own restore checks them). Opening 30 bases this way costs a fraction of parsing
 * 30 manifests (docs/benchmarks.md, issue 18).
 */
final class BaseBlocks {

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxDocumentLength(ManifestSealer.MAX_RAW_BYTES)
                  .maxStringLength(ManifestSealer.MAX_RAW_BYTES)
                  .maxNestingDepth(8)
                  .build())
          .build();

  private BaseBlocks() {}

  /**
   * The own blocks of the archive whose manifest JSON is {@code json}.
   *
   * @param json the base's manifest, authenticated against its commit
   * @param statement the base's commit statement
   * @throws CorruptBackupException if the JSON is malformed or disagrees with the commit, or a
   *     block table is malformed or out of bounds
   */
  static ArchiveBlocks of(byte[] json, CommitStatement statement) throws CorruptBackupException {
    String id = statement.backupId();
    String archiveId = null;
    int blockSize = -1;
    int chainSize = 1;
    List<long[]> sizes = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    try (JsonParser p = JSON.createParser(json)) {
      expect(p.nextToken() == JsonToken.START_OBJECT, id);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case "archive_id" -> archiveId = p.getValueAsString();
          case "block_size" -> {
            expect(t == JsonToken.VALUE_NUMBER_INT, id);
            blockSize = p.getIntValue();
          }
          case "archives" -> {
            expect(t == JsonToken.START_ARRAY, id);
            while (p.nextToken() != JsonToken.END_ARRAY) {
              p.skipChildren();
              chainSize++;
            }
          }
          case "files" -> {
            expect(t == JsonToken.START_ARRAY, id);
            while (p.nextToken() == JsonToken.START_OBJECT) {
              long size = -1;
              String blocks = null;
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("size") && v == JsonToken.VALUE_NUMBER_INT) {
                  size = p.getLongValue();
                } else if (field.equals("blocks") && v == JsonToken.VALUE_STRING) {
                  blocks = p.getText();
                } else {
                  p.skipChildren();
                }
              }
              expect(size >= 0 && blocks != null, id);
              sizes.add(new long[] {size});
              tables.add(blocks);
            }
          }
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw corrupt(id, "is not a manifest");
    }
    if (archiveId == null
        || !archiveId.equals(statement.archiveId().toString())
        || blockSize != statement.blockSizeBytes()) {
      throw corrupt(id, "disagrees with its commit");
    }
    List<BlockRef> own = new ArrayList<>();
    for (int i = 0; i < tables.size(); i++) {
      long size = sizes.get(i)[0];
      long max = size / blockSize + (size % blockSize == 0 ? 0 : 1);
      for (BlockRef r :
          BlockTable.decode(
              "#" + i, tables.get(i), chainSize, (int) Math.min(Integer.MAX_VALUE, max))) {
        if (r.archiveIndex() == 0) {
          own.add(r);
        }
      }
    }
    return ArchiveBlocks.of(
        UUID.fromString(archiveId), statement.dataLengthBytes(), blockSize, own);
  }

  private static void expect(boolean ok, String id) throws CorruptBackupException {
    if (!ok) {
      throw corrupt(id, "is not a manifest");
    }
  }

  private static CorruptBackupException corrupt(String id, String what) {
    return new CorruptBackupException("manifest of base " + id + " " + what, null);
  }
}
