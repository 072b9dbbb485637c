package dev.coffer.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a provider working on Jimfs must not write to (rule P6): the default file system's temporary
 * directory ({@code java.io.tmpdir}) and the working directory, where {@code Files.createTempFile}
 * without a directory and a relative {@code Path.of} land. Remembers the names each directory holds
 * when created; {@link #appeared()} lists the names that are new since. Names are compared, not
 * contents: an entry another process creates meanwhile shows too, so the caller repeats the
 * observation before it concludes (see {@code BackupRules}). Names that test harnesses make in the
 * temporary directory all the time ({@code junit*} of JUnit's {@code @TempDir}, {@code surefire*})
 * are not counted: a build running beside this one (another module's tests, {@code mvn -T}) makes
 * them in every run, and no provider names its files so.
 */
final class DefaultFileSystemWatch {

  private final Map<Path, Set<String>> before = new LinkedHashMap<>();

  /** Lists the watched directories now. */
  DefaultFileSystemWatch() throws IOException {
    for (Path dir : watched()) {
      before.put(dir, names(dir));
    }
  }

  /** The default file system's directories a provider on another file system must leave alone. */
  static List<Path> watched() {
    List<Path> dirs = new ArrayList<>();
    String tmp = System.getProperty("java.io.tmpdir");
    if (tmp != null && Files.isDirectory(Path.of(tmp))) {
      dirs.add(Path.of(tmp).toAbsolutePath().normalize());
    }
    Path work = Path.of("").toAbsolutePath().normalize();
    if (!dirs.contains(work)) {
      dirs.add(work);
    }
    return dirs;
  }

  /** The entries (absolute paths) that are in a watched directory now but were not at creation. */
  List<String> appeared() throws IOException {
    List<String> out = new ArrayList<>();
    for (Map.Entry<Path, Set<String>> e : before.entrySet()) {
      for (String name : names(e.getKey())) {
        if (!e.getValue().contains(name) && !isHarnessName(name)) {
          out.add(e.getKey().resolve(name).toString());
        }
      }
    }
    return out;
  }

  /** Whether a name is one that JUnit or Surefire gives its own temporary files and directories. */
  static boolean isHarnessName(String name) {
    return name.startsWith("junit") || name.startsWith("surefire");
  }

  private static Set<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
