package dev.coffer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupWarning;
import dev.coffer.VerifyReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * The JSON documents the tool prints; field names are documented in docs/cli.md and stay stable.
 *
 * <p>Documents are built as trees without a mapper; the one {@link ObjectMapper} (a few hundred
 * classes and tens of milliseconds of a cold start, docs/benchmarks.md "Cold start") is created
 * only when a document is written or read.
 */
final class Json {
  private Json() {}

  /** Holds the mapper, so that loading {@code Json} does not create it. */
  private static final class Holder {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /** The tool's one mapper, created on first use. */
  static ObjectMapper mapper() {
    return Holder.MAPPER;
  }

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /**
   * Writes a document; an {@code ObjectNode} parameter keeps callers from loading Jackson to verify
   * a cast.
   */
  static String write(ObjectNode node) {
    try {
      return mapper().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /**
   * Prints a document on {@code out} (stdout). Here and not on {@link CofferCli}: picocli reflects
   * on the command classes' methods, which would load Jackson's node classes for every command.
   */
  static void print(PrintWriter out, ObjectNode doc) {
    out.println(write(doc));
    out.flush();
  }

  /**
   * Prints {@code {"backups": [...]}}. Here, so that {@code list} without {@code --json} loads no
   * Jackson class to verify its own (docs/benchmarks.md, cold start).
   */
  static void printBackups(PrintWriter out, List<BackupMetadata> backups) {
    ObjectNode doc = object();
    ArrayNode list = doc.putArray("backups");
    backups.forEach(b -> list.add(metadata(b)));
    print(out, doc);
  }

  /** Prints the {@code {"error": {...}}} document of a failed command. */
  static void printError(PrintWriter out, String message, String type, int exitCode) {
    ObjectNode doc = object();
    ObjectNode error = doc.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("exitCode", exitCode);
    print(out, doc);
  }

  static ObjectNode metadata(BackupMetadata m) {
    ObjectNode n = object();
    n.put("backupId", m.backupId());
    n.put("createdAt", m.createdAt().toString());
    n.put("sourceDir", m.sourceDir());
    n.put("totalFiles", m.totalFiles());
    n.put("totalBytes", m.totalBytes());
    n.put("backupType", m.backupType().name());
    if (m.baseBackupId() == null) {
      n.putNull("baseBackupId");
    } else {
      n.put("baseBackupId", m.baseBackupId());
    }
    n.put("provider", m.provider());
    n.put("version", m.version());
    ObjectNode labels = n.putObject("labels");
    for (Map.Entry<String, String> e : m.labels().entrySet()) {
      labels.put(e.getKey(), e.getValue());
    }
    if (!m.warnings().isEmpty()) {
      warnings(n.putArray("warnings"), m.warnings());
    }
    return n;
  }

  /** Adds each warning as {@code {"path","kind","detail"}}. */
  static void warnings(ArrayNode into, List<BackupWarning> warnings) {
    for (BackupWarning w : warnings) {
      into.addObject().put("path", w.path()).put("kind", w.kind().name()).put("detail", w.detail());
    }
  }

  static ObjectNode report(VerifyReport r) {
    ObjectNode n = object();
    n.put("backupId", r.backupId());
    n.put("ok", r.ok());
    n.put("filesChecked", r.filesChecked());
    n.put("bytesChecked", r.bytesChecked());
    ArrayNode problems = n.putArray("problems");
    for (VerifyReport.Problem p : r.problems()) {
      ObjectNode pn = problems.addObject();
      pn.put("path", p.path());
      pn.put("kind", p.kind().name());
      pn.put("detail", p.detail());
    }
    return n;
  }
}
