package dev.coffer.archive.v2;

import static dev.coffer.archive.v2.V2Json.fields;
import static dev.coffer.archive.v2.V2Json.int32;
import static dev.coffer.archive.v2.V2Json.integer;
import static dev.coffer.archive.v2.V2Json.list;
import static dev.coffer.archive.v2.V2Json.optionalInteger;
import static dev.coffer.archive.v2.V2Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The field names and mapping of {@link V2Manifest} to and from JSON (docs/design/archive-v2.md).
 */
final class V2ManifestJson {

  private V2ManifestJson() {}

  static ObjectNode write(V2Manifest m) {
    ObjectNode o = V2Json.object();
    o.put("format", m.format())
        .put("backup_id", m.backupId())
        .put("archive_id", m.archiveId())
        .put("created_at", m.createdAt())
        .put("type", m.type())
        .put("base_backup_id", m.baseBackupId())
        .put("scan_started_ns", m.scanStartedNs())
        .put("granularity_ns", m.granularityNs())
        .put("block_size", m.blockSize());
    ArrayNode archives = o.putArray("archives");
    for (V2Manifest.ChainEntry c : m.archives()) {
      archives
          .addObject()
          .put("backup_id", c.backupId())
          .put("archive_id", c.archiveId())
          .put("manifest_sha256", c.manifestSha256());
    }
    o.set("root_posix", posix(m.rootPosix()));
    ArrayNode dirs = o.putArray("directories");
    for (V2Manifest.Dir d : m.directories()) {
      dirs.addObject().put("path", d.path()).set("posix", posix(d.posix()));
    }
    ArrayNode files = o.putArray("files");
    for (V2Manifest.FileEntry f : m.files()) {
      ObjectNode e =
          files
              .addObject()
              .put("path", f.path())
              .put("size", f.size())
              .put("mtime_ns", f.mtimeNs())
              .put("ctime_ns", f.ctimeNs())
              .put("file_key", f.fileKey());
      e.set("posix", posix(f.posix()));
      e.put("sha256", f.sha256()).put("blocks", f.blocks());
    }
    ArrayNode links = o.putArray("links");
    for (V2Manifest.Link l : m.links()) {
      links.addObject().put("path", l.path()).put("target", l.target());
    }
    return o;
  }

  private static JsonNode posix(V2Manifest.Posix p) {
    if (p == null) {
      return V2Json.object().nullNode();
    }
    return V2Json.object()
        .put("mode", p.mode())
        .put("uid", p.uid())
        .put("gid", p.gid())
        .put("user", p.user())
        .put("group", p.group());
  }

  static V2Manifest read(JsonNode node) {
    JsonNode o =
        fields(
            node,
            "format",
            "backup_id",
            "archive_id",
            "created_at",
            "type",
            "base_backup_id",
            "scan_started_ns",
            "granularity_ns",
            "block_size",
            "archives",
            "root_posix",
            "directories",
            "files",
            "links");
    return new V2Manifest(
        text(o, "format"),
        text(o, "backup_id"),
        text(o, "archive_id"),
        text(o, "created_at"),
        text(o, "type"),
        text(o, "base_backup_id"),
        integer(o, "scan_started_ns"),
        integer(o, "granularity_ns"),
        int32(o, "block_size"),
        list(o, "archives", V2ManifestJson::chainEntry),
        readPosix(o.get("root_posix")),
        list(o, "directories", V2ManifestJson::dir),
        list(o, "files", V2ManifestJson::file),
        list(o, "links", V2ManifestJson::link));
  }

  private static V2Manifest.ChainEntry chainEntry(JsonNode node) {
    JsonNode o = fields(node, "backup_id", "archive_id", "manifest_sha256");
    return new V2Manifest.ChainEntry(
        text(o, "backup_id"), text(o, "archive_id"), text(o, "manifest_sha256"));
  }

  private static V2Manifest.Posix readPosix(JsonNode node) {
    if (node.isNull()) {
      return null;
    }
    JsonNode o = fields(node, "mode", "uid", "gid", "user", "group");
    return new V2Manifest.Posix(
        text(o, "mode"), int32(o, "uid"), int32(o, "gid"), text(o, "user"), text(o, "group"));
  }

  private static V2Manifest.Dir dir(JsonNode node) {
    JsonNode o = fields(node, "path", "posix");
    return new V2Manifest.Dir(text(o, "path"), readPosix(o.get("posix")));
  }

  private static V2Manifest.FileEntry file(JsonNode node) {
    JsonNode o =
        fields(
            node, "path", "size", "mtime_ns", "ctime_ns", "file_key", "posix", "sha256", "blocks");
    return new V2Manifest.FileEntry(
        text(o, "path"),
        integer(o, "size"),
        integer(o, "mtime_ns"),
        optionalInteger(o, "ctime_ns"),
        text(o, "file_key"),
        readPosix(o.get("posix")),
        text(o, "sha256"),
        text(o, "blocks"));
  }

  private static V2Manifest.Link link(JsonNode node) {
    JsonNode o = fields(node, "path", "target");
    return new V2Manifest.Link(text(o, "path"), text(o, "target"));
  }
}
