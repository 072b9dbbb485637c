package dev.coffer.local;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.local.Manifest.Symlink;
import dev.coffer.spi.support.PosixAttributes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * Writes {@code metadata.json} field by field through a {@link JsonGenerator}, not through a tree
 * or bound records: an incremental writes an entry per file on each backup, and this writer is part
 * of what made it fast (docs/benchmarks.md, "Performance seams of the local provider"). The bytes
 * are those of Jackson's default pretty printer, as ManifestTest checks.
 */
final class ManifestWriter {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ManifestWriter() {}

  /** The bytes of {@code m}'s {@code metadata.json}. */
  static byte[] write(Manifest m) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 192 * m.files().size());
    try (JsonGenerator g = MAPPER.writerWithDefaultPrettyPrinter().createGenerator(bytes)) {
      g.writeStartObject();
      g.writeStringField("backup_id", m.metadata().backupId());
      g.writeStringField("created_at", m.metadata().createdAt().toString());
      g.writeStringField("source_dir", m.metadata().sourceDir());
      g.writeNumberField("total_files", m.metadata().totalFiles());
      g.writeNumberField("total_bytes", m.metadata().totalBytes());
      g.writeNumberField("checksum", m.checksum());
      if (m.metadata().backupType() == BackupType.FULL) {
        g.writeStringField("backup_type", "Full");
      } else {
        g.writeObjectFieldStart("backup_type");
        g.writeObjectFieldStart("Incremental");
        g.writeStringField("base_backup_id", m.metadata().baseBackupId());
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeStringField("version", m.metadata().version());
      g.writeNumberField("coffer_format", Manifest.FORMAT);
      g.writeStringField("provider", m.metadata().provider());
      g.writeObjectFieldStart("labels");
      for (Map.Entry<String, String> label : m.metadata().labels().entrySet()) {
        g.writeStringField(label.getKey(), label.getValue());
      }
      g.writeEndObject();
      g.writeArrayFieldStart("directories");
      for (String d : m.directories()) {
        g.writeString(d);
      }
      g.writeEndArray();
      g.writeObjectFieldStart("directory_mtimes");
      for (Map.Entry<String, Instant> d : m.directoryTimes().entrySet()) {
        g.writeStringField(d.getKey(), Times.format(d.getValue()));
      }
      g.writeEndObject();
      if (m.rootAttributes() != null) {
        g.writeObjectFieldStart("root_attributes");
        writePosix(g, m.rootAttributes());
        g.writeEndObject();
      }
      if (!m.directoryAttributes().isEmpty()) {
        g.writeObjectFieldStart("directory_attributes");
        for (Map.Entry<String, PosixAttributes> d : m.directoryAttributes().entrySet()) {
          g.writeObjectFieldStart(d.getKey());
          writePosix(g, d.getValue());
          g.writeEndObject();
        }
        g.writeEndObject();
      }
      g.writeArrayFieldStart("files");
      for (FileEntry e : m.files()) {
        write(g, e);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("symlinks");
      for (Symlink link : m.symlinks()) {
        g.writeStartObject();
        g.writeStringField("path", link.path());
        g.writeStringField("target", link.target());
        if (link.posix() != null) {
          writePosix(g, link.posix());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      if (!m.metadata().warnings().isEmpty()) {
        g.writeArrayFieldStart("warnings");
        for (BackupWarning w : m.metadata().warnings()) {
          g.writeStartObject();
          g.writeStringField("path", w.path());
          g.writeStringField("kind", w.kind().name());
          g.writeStringField("detail", w.detail());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    return bytes.toByteArray();
  }

  /**
   * One file's entry: a method of its own, so the JIT compiles it during the first backup (as
   * BackupPlan's).
   */
  private static void write(JsonGenerator g, FileEntry e) throws IOException {
    g.writeStartObject();
    g.writeStringField("path", e.path());
    g.writeNumberField("size", e.size());
    g.writeNumberField("crc32c", e.crc32c());
    g.writeNumberField("crc32", e.crc32());
    g.writeStringField("mtime", Times.format(e.lastModified()));
    g.writeBooleanField("linked", e.linked());
    if (e.posix() != null) {
      writePosix(g, e.posix());
    }
    g.writeEndObject();
  }

  /**
   * The POSIX fields of an entry: the mode in octal, the ids where known, the names where known.
   */
  private static void writePosix(JsonGenerator g, PosixAttributes a) throws IOException {
    g.writeStringField("mode", a.modeString());
    if (a.uid() >= 0) {
      g.writeNumberField("uid", a.uid());
    }
    if (a.gid() >= 0) {
      g.writeNumberField("gid", a.gid());
    }
    if (a.owner() != null) {
      g.writeStringField("owner", a.owner());
    }
    if (a.group() != null) {
      g.writeStringField("group", a.group());
    }
  }
}
