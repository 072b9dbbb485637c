package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupException;
import dev.coffer.BackupRequest;
import dev.coffer.SourceEnd;
import dev.coffer.SpecialFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a backup's {@linkplain BackupRequest#finisher() finisher} adds (rule P33), checked against
 * the copied source so every provider applies the same rules: a provider copies the source tree,
 * calls {@link #finish(BackupRequest, SourceTree)} once, stores {@link #tree()}'s entries exactly
 * as it stores the source's (from {@code tree().root()}, at the same relative paths), records
 * {@link #labels()} instead of the request's, counts {@code tree()}'s files in its totals, and only
 * then publishes.
 *
 * @param tree the finisher's files still to store: its directory scanned (no link followed, a
 *     special file refused), without the directories the source already has; empty when it returned
 *     no directory
 * @param labels the backup's labels: the request's and the finisher's
 */
public record FinishedSource(SourceTree tree, Map<String, String> labels) {

  /**
   * Validates and copies the components.
   *
   * @param tree as described on the record
   * @param labels as described on the record
   * @throws NullPointerException if a component is null
   */
  public FinishedSource {
    requireNonNull(tree, "tree");
    labels = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(labels, "labels")));
  }

  /**
   * Calls the request's finisher once and checks what it returns against the copied source.
   *
   * @param request the backup request
   * @param copied the source tree, every entry of which is already copied
   * @return the entries to add and the backup's labels
   * @throws BackupException if a returned file or link has the path of a copied entry (or a
   *     returned directory that of a copied file or link), a returned label's key is already a
   *     label, the returned directory is missing or holds a special file or an unstorable name
   * @throws IOException if the finisher fails or its directory cannot be read
   */
  public static FinishedSource finish(BackupRequest request, SourceTree copied) throws IOException {
    requireNonNull(copied, "copied");
    SourceEnd end = request.finisher().finish();
    if (end == null) {
      end = SourceEnd.NONE;
    }
    Map<String, String> labels = new TreeMap<>(request.labels());
    for (Map.Entry<String, String> label : end.labels().entrySet()) {
      if (labels.putIfAbsent(label.getKey(), label.getValue()) != null) {
        throw new BackupException(
            "the source's finish returned label '"
                + label.getKey()
                + "', which the backup already has");
      }
    }
    if (end.files() == null) {
      return new FinishedSource(new SourceTree(copied.root(), List.of()), labels);
    }
    return new FinishedSource(added(end.files(), copied), labels);
  }

  private static SourceTree added(Path files, SourceTree copied) throws IOException {
    if (!Files.isDirectory(files)) {
      throw new BackupException(
          "the source's finish returned " + files + ", which is not a directory");
    }
    SourceTree tree = SourceTree.scan(files, new ScanOptions(Set.of(), SpecialFiles.FAIL));
    Map<String, SourceEntry.Type> types = new HashMap<>();
    for (SourceEntry e : copied.entries()) {
      types.put(e.path(), e.type());
    }
    List<SourceEntry> added = new ArrayList<>();
    for (SourceEntry e : tree.entries()) {
      SourceEntry.Type there = types.get(e.path());
      if (there == null) {
        added.add(e);
      } else if (there != SourceEntry.Type.DIRECTORY || e.type() != SourceEntry.Type.DIRECTORY) {
        throw new BackupException(
            "cannot add '"
                + RelativePaths.printable(e.path())
                + "' from "
                + files
                + " (returned by the source's finish): the backup already has a "
                + name(there)
                + " at that path");
      }
    }
    return new SourceTree(tree.root(), added);
  }

  private static String name(SourceEntry.Type type) {
    return switch (type) {
      case FILE -> "file";
      case DIRECTORY -> "directory";
      case SYMLINK -> "symbolic link";
    };
  }
}
