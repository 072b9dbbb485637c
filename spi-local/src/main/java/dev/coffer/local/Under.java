package dev.coffer.local;

import java.nio.file.Path;

/**
 * {@link Layout#under} for many paths in tree order: the files of one directory come one after
 * another, so the parent directory is resolved once for them all. It remembers the last parent, so
 * it is confined to one thread.
 */
final class Under {
  private final Path dir;
  private String lastParent;
  private Path lastParentPath;

  Under(Path dir) {
    this.dir = dir;
  }

  Path resolve(String relative) {
    int slash = relative.lastIndexOf('/');
    if (slash < 0) {
      return dir.resolve(relative);
    }
    String parent = relative.substring(0, slash);
    if (!parent.equals(lastParent)) {
      lastParentPath = Layout.under(dir, parent);
      lastParent = parent;
    }
    return lastParentPath.resolve(relative.substring(slash + 1));
  }
}
