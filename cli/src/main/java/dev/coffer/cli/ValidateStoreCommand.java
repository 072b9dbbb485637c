package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.StoreProvider;
import dev.coffer.store.StoreRule;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code coffer validate-store URI}: runs the store contract (S1 to S12) and the access patterns of
 * archive format 2 ({@link AccessPattern}, F1 to F4) against a real store, under a fresh prefix it
 * removes afterwards, and names every rule that failed.
 */
@Command(
    name = "validate-store",
    description = {
      "Check that an object store keeps the store contract (rules S1-S12) and serves the access",
      "patterns of archive format 2 (F1-F4), like kopia's 'repository validate-provider': writes,",
      "reads, lists and deletes test objects under a fresh prefix (removed afterwards).",
      "Exit 1 if any rule fails."
    })
final class ValidateStoreCommand extends CliCommand {

  /**
   * Listings of the rule S9 write about 25 objects: with this page size they take several pages.
   */
  static final String SMALL_PAGE = "7";

  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:");

  @Parameters(
      index = "0",
      paramLabel = "URI",
      description = "The store: s3://bucket/prefix, file:///dir, or a directory path.")
  String location;

  @Option(
      names = {"-o", "--option"},
      paramLabel = "NAME=VALUE",
      description =
          "A store option, e.g. -o endpoint=http://127.0.0.1:9000 -o path-style=true (repeatable).")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(
      names = "--rule",
      paramLabel = "RULE",
      split = ",",
      description = "Check only these rules, e.g. --rule S3,S9,F1 (default: all).")
  List<String> rules = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    URI uri = uri(location);
    Set<StoreRule> selected = EnumSet.noneOf(StoreRule.class);
    Set<AccessPattern> patterns = EnumSet.noneOf(AccessPattern.class);
    select(selected, patterns);
    Map<String, String> given = new LinkedHashMap<>(options);
    for (StoreProvider p : ObjectStores.installed()) {
      if (p.scheme().equalsIgnoreCase(uri.getScheme())
          && !given.containsKey("page-size")
          && (uri.getRawQuery() == null || !("&" + uri.getRawQuery()).contains("&page-size="))
          && p.options().stream().anyMatch(o -> o.name().equals("page-size"))) {
        given.put("page-size", SMALL_PAGE);
      }
    }
    String prefix =
        "coffer-validate-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
            + "/";
    cli.doing("validate-store " + uri);
    List<Outcome> outcomes = new ArrayList<>();
    String leftover;
    try (ObjectStore store = ObjectStores.open(uri, given)) {
      if (!json()) {
        out()
            .println(
                "Checking "
                    + store.uri()
                    + " under "
                    + prefix
                    + " ("
                    + (selected.size() + patterns.size())
                    + " rules)");
      }
      for (StoreRule rule : selected) {
        report(
            outcomes,
            Outcome.of(
                rule.name(),
                rule.title(),
                () -> {
                  rule.check(store, prefix);
                  return null;
                }));
      }
      for (AccessPattern pattern : patterns) {
        report(
            outcomes,
            Outcome.of(pattern.name(), pattern.title(), () -> pattern.check(store, prefix)));
      }
      leftover = removePrefix(store, prefix);
    }
    long failed = outcomes.stream().filter(o -> o.failure() != null).count();
    if (json()) {
      ObjectNode doc = Json.object();
      doc.put("store", uri.toString());
      doc.put("prefix", prefix);
      doc.put("ok", failed == 0);
      ArrayNode list = doc.putArray("rules");
      for (Outcome o : outcomes) {
        ObjectNode n = list.addObject();
        n.put("rule", o.name());
        n.put("title", o.title());
        n.put("ok", o.failure() == null);
        if (o.failure() == null) {
          n.putNull("failure");
        } else {
          n.put("failure", o.failure());
        }
        if (o.note() != null) {
          n.put("note", o.note());
        }
        n.put("millis", o.millis());
      }
      if (leftover != null) {
        doc.put("cleanup", leftover);
      }
      Json.print(cli.out, doc);
    } else {
      if (leftover != null) {
        out().println("Warning: " + leftover);
      }
      out()
          .println(
              failed == 0
                  ? "All " + outcomes.size() + " rules hold."
                  : failed + " of " + outcomes.size() + " rules failed.");
    }
    return failed == 0 ? CofferCli.OK : CofferCli.INTEGRITY;
  }

  private void report(List<Outcome> outcomes, Outcome o) {
    outcomes.add(o);
    if (!json()) {
      out().println(o.line());
      out().flush();
    }
  }

  /** Fills the rules and patterns named by {@code --rule} (all of both when none is named). */
  private void select(Set<StoreRule> chosen, Set<AccessPattern> patterns) {
    if (rules.isEmpty()) {
      chosen.addAll(EnumSet.allOf(StoreRule.class));
      patterns.addAll(EnumSet.allOf(AccessPattern.class));
      return;
    }
    for (String r : rules) {
      String name = r.trim().toUpperCase(Locale.ROOT);
      try {
        if (name.startsWith("F")) {
          patterns.add(AccessPattern.valueOf(name));
        } else {
          chosen.add(StoreRule.valueOf(name));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown rule '"
                + r
                + "' (rules are S1 to S"
                + StoreRule.values().length
                + " and F1 to F"
                + AccessPattern.values().length
                + ")");
      }
    }
  }

  /** Deletes what the checks left; returns a warning if something stays behind. */
  private static String removePrefix(ObjectStore store, String prefix) {
    try {
      List<ObjectInfo> left = store.list(prefix);
      for (ObjectInfo o : left) {
        store.delete(o.key());
      }
      return store.list(prefix).isEmpty()
          ? null
          : "objects remain under " + prefix + "; delete them by hand";
    } catch (IOException | RuntimeException e) {
      return "could not remove " + prefix + ": " + CofferCli.describe(e);
    }
  }

  static URI uri(String location) {
    if (SCHEME.matcher(location).find()) {
      try {
        return new URI(location);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("malformed store URI: " + e.getMessage());
      }
    }
    return Path.of(location).toAbsolutePath().toUri();
  }

  /** One check, returning a note or null. */
  @FunctionalInterface
  interface Check {
    String run() throws IOException;
  }

  /**
   * The result of one rule.
   *
   * @param name the rule's name (S1, F2, ...)
   * @param title what it promises
   * @param failure what broke, or null
   * @param note how the store kept it, or null
   * @param millis how long the check took
   */
  record Outcome(String name, String title, String failure, String note, long millis) {
    static Outcome of(String name, String title, Check check) {
      long start = System.nanoTime();
      String failure = null;
      String note = null;
      try {
        note = check.run();
      } catch (AssertionError e) {
        failure = e.getMessage();
      } catch (IOException | RuntimeException e) {
        failure = name + " error: " + CofferCli.describe(e);
      }
      return new Outcome(name, title, failure, note, (System.nanoTime() - start) / 1_000_000);
    }

    String line() {
      String padded = String.format("%-4s", name);
      return failure == null
          ? padded
              + "ok      "
              + title
              + " ("
              + millis
              + " ms)"
              + (note == null ? "" : "\n      note: " + note)
          : padded + "FAILED  " + title + "\n      " + failure;
    }
  }
}
