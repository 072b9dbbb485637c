package dev.coffer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupWarning;
import dev.coffer.VerifyReport;
import java.util.Map;

/** The JSON documents the tool prints; field names are documented in docs/cli.md and stay stable. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
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
      ArrayNode warnings = n.putArray("warnings");
      for (BackupWarning w : m.warnings()) {
        warnings.addObject().put("path", w.path()).put("kind", w.kind().name()).put("detail", w.detail());
      }
    }
    return n;
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
