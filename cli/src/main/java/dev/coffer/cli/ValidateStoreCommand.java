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
 * {@code coffer validate-store URI}: runs the store contract (S1 to S12) against a real store,
 * under a fresh prefix it removes afterwards, and names every rule that failed.
 */
@Command(
    name = "validate-store",
    description = {
      "Check that an object store keeps the store contract (rules S1-S12), like kopia's",
      "'repository validate-provider': writes, reads, lists and deletes test objects under a fresh",
      "prefix (removed afterwards). Exit 1 if any rule fails."
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
      description = "Check only these rules, e.g. --rule S3,S9 (default: all).")
  List<String> rules = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    URI uri = uri(location);
    Set<StoreRule> selected = selected();
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
                    + selected.size()
                    + " rules)");
      }
      for (StoreRule rule : selected) {
        long start = System.nanoTime();
        String failure = null;
        try {
          rule.check(store, prefix);
        } catch (AssertionError e) {
          failure = e.getMessage();
        } catch (IOException | RuntimeException e) {
          failure = rule.name() + " error: " + CofferCli.describe(e);
        }
        Outcome o = new Outcome(rule, failure, (System.nanoTime() - start) / 1_000_000);
        outcomes.add(o);
        if (!json()) {
          out().println(o.line());
          out().flush();
        }
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
        n.put("rule", o.rule().name());
        n.put("title", o.rule().title());
        n.put("ok", o.failure() == null);
        if (o.failure() == null) {
          n.putNull("failure");
        } else {
          n.put("failure", o.failure());
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

  private Set<StoreRule> selected() {
    if (rules.isEmpty()) {
      return EnumSet.allOf(StoreRule.class);
    }
    Set<StoreRule> chosen = EnumSet.noneOf(StoreRule.class);
    for (String r : rules) {
      try {
        chosen.add(StoreRule.valueOf(r.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown rule '" + r + "' (rules are S1 to S" + StoreRule.values().length + ")");
      }
    }
    return chosen;
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

  /**
   * The result of one rule.
   *
   * @param rule the rule
   * @param failure what broke, or null
   * @param millis how long the check took
   */
  record Outcome(StoreRule rule, String failure, long millis) {
    String line() {
      String name = String.format("%-4s", rule.name());
      return failure == null
          ? name + "ok      " + rule.title() + " (" + millis + " ms)"
          : name + "FAILED  " + rule.title() + "\n      " + failure;
    }
  }
}
