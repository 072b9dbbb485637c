package dev.coffer.archive.v2;

import dev.coffer.store.ObjectKeys;

/**
 * The keys of a version-2 repository's objects under a prefix of a store ({@code ""} or ending in
 * {@code /}).
 */
final class V2Layout {

  static final String DATA = "data/";
  static final String MANIFESTS = "manifests/";
  static final String COMMITS = "commits/";
  static final String META = "meta/";

  private final String prefix;

  V2Layout(String prefix) {
    if (!prefix.isEmpty()) {
      ObjectKeys.check(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
      if (!prefix.endsWith("/")) {
        throw new IllegalArgumentException("a repository prefix ends with '/': " + prefix);
      }
    }
    this.prefix = prefix;
  }

  String data(String backupId) {
    return prefix + DATA + backupId;
  }

  String manifest(String backupId) {
    return prefix + MANIFESTS + backupId;
  }

  String commit(String backupId) {
    return prefix + COMMITS + backupId;
  }

  String commits() {
    return prefix + COMMITS;
  }

  String meta(String backupId) {
    return prefix + META + backupId;
  }

  /** The key prefix of one kind of object ({@link #DATA}, {@link #META}, ...). */
  String of(String kind) {
    return prefix + kind;
  }
}
