package dev.coffer.testkit;

import dev.coffer.BackupProviders;
import dev.coffer.spi.BackupProvider;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the conformance suite against every provider on the class path, with no build of one's own,
 * and prints a per-rule report:
 *
 * <pre>{@code
 * java -cp coffer-testkit.jar:coffer-api.jar:<junit and jimfs jars>:my-provider.jar \
 *     -Dcoffer.tck.my-provider.key=... dev.coffer.testkit.ConformanceMain [--filesystems UNIX,DISK] [name...]
 * }</pre>
 *
 * <p>Providers are found with {@link BackupProviders#installed()}; names given on the command line
 * restrict the run to those. A provider's options come from the system properties {@code
 * coffer.tck.<provider>.<option>}. The exit status is 0 when every rule passed for every provider,
 * 1 when a rule failed, 2 for a usage error or when no provider was found.
 */
public final class ConformanceMain {

  private ConformanceMain() {}

  /**
   * Runs the suite and exits with its status.
   *
   * @param args {@code [--filesystems LIST] [provider-name...]}
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /**
   * Runs the suite, printing the report to {@code out}.
   *
   * @param args {@code [--filesystems LIST] [provider-name...]}
   * @param out where the report goes
   * @return 0 when every rule passed, 1 when one failed, 2 for a usage error or no provider
   */
  public static int run(String[] args, PrintStream out) {
    List<String> names = new ArrayList<>();
    String filesystems = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--filesystems") && i + 1 < args.length) {
        filesystems = args[++i];
      } else if (args[i].startsWith("-")) {
        out.println(
            "usage: ConformanceMain [--filesystems UNIX,OSX,WINDOWS,DISK] [provider-name...]");
        return 2;
      } else {
        names.add(args[i]);
      }
    }
    if (filesystems != null) {
      try {
        FileSystemsSource.selected(filesystems);
      } catch (IllegalArgumentException e) {
        out.println(
            "unknown file system in '"
                + filesystems
                + "'; expected a list of UNIX, OSX, WINDOWS, DISK");
        return 2;
      }
    }
    List<BackupProvider> providers = new ArrayList<>();
    for (BackupProvider p : BackupProviders.installed()) {
      if (names.isEmpty() || names.contains(p.name())) {
        providers.add(p);
      }
    }
    if (providers.isEmpty()) {
      out.println(
          names.isEmpty()
              ? "no backup provider found on the class path"
              : "no installed provider named " + names);
      return 2;
    }
    boolean allPassed = true;
    String saved = System.getProperty(InstalledProviderConformance.PROVIDER);
    try {
      for (BackupProvider p : providers) {
        System.setProperty(InstalledProviderConformance.PROVIDER, p.name());
        allPassed &= runOne(p, filesystems, out);
      }
    } finally {
      if (saved == null) {
        System.clearProperty(InstalledProviderConformance.PROVIDER);
      } else {
        System.setProperty(InstalledProviderConformance.PROVIDER, saved);
      }
    }
    return allPassed ? 0 : 1;
  }

  private static boolean runOne(BackupProvider provider, String filesystems, PrintStream out) {
    LauncherDiscoveryRequestBuilder builder =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(DiscoverySelectors.selectClass(InstalledProviderConformance.class));
    if (filesystems != null) {
      builder.configurationParameter(FileSystemsSource.KEY, filesystems);
    }
    LauncherDiscoveryRequest request = builder.build();
    RuleListener listener = new RuleListener();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, listener);
    out.println(
        "Provider "
            + provider.name()
            + " ("
            + provider.getClass().getName()
            + "), capabilities "
            + provider.capabilities());
    boolean ok = true;
    java.util.SortedSet<Integer> rules =
        new java.util.TreeSet<>(listener.rules.keySet()); // P33, and any later rule
    for (int rule = 1; rule <= 31; rule++) {
      rules.add(rule);
    }
    for (int rule : rules) {
      Outcome o = listener.rules.get(rule);
      String label = String.format(Locale.ROOT, "  P%-3d", rule);
      if (o == null) {
        out.println(label + "NOT RUN");
      } else if (o.failed > 0) {
        ok = false;
        out.println(
            label
                + "FAIL  "
                + o.failed
                + " of "
                + (o.passed + o.failed + o.setUpFailed)
                + " tests failed; first: "
                + o.firstFailure);
      } else if (o.setUpFailed > 0) {
        ok = false;
        out.println(
            label
                + "SET-UP FAILED  "
                + o.setUpFailed
                + " of "
                + (o.passed + o.setUpFailed)
                + " tests could not"
                + " prepare their check (another rule's operation failed); first: "
                + o.firstSetUpFailure);
      } else if (o.passed > 0) {
        out.println(
            label
                + "PASS  "
                + o.passed
                + " tests"
                + (o.skipped > 0 ? ", " + o.skipped + " not applicable" : ""));
      } else {
        out.println(label + "N/A   " + o.skipped + " tests not applicable (" + o.skipReason + ")");
      }
    }
    out.println("Provider " + provider.name() + ": " + (ok ? "PASS" : "FAIL"));
    out.flush();
    return ok;
  }

  /** The tally of one rule. */
  private static final class Outcome {
    int passed;
    int failed;
    int setUpFailed;
    int skipped;
    String firstFailure;
    String firstSetUpFailure;
    String skipReason;
  }

  /** Collects test outcomes by the rule number in the test method's name. */
  private static final class RuleListener implements TestExecutionListener {
    final TreeMap<Integer, Outcome> rules = new TreeMap<>();

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
      rule(id)
          .ifPresent(
              o -> {
                o.skipped++;
                o.skipReason = reason;
              });
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
      if (!id.isTest()) {
        return;
      }
      rule(id)
          .ifPresent(
              o -> {
                switch (result.getStatus()) {
                  case SUCCESSFUL:
                    o.passed++;
                    break;
                  case ABORTED:
                    o.skipped++;
                    o.skipReason =
                        result.getThrowable().map(Throwable::getMessage).orElse("aborted");
                    break;
                  default:
                    String m =
                        result
                            .getThrowable()
                            .map(t -> String.valueOf(t.getMessage()))
                            .orElse("failed");
                    // the first line says what broke; the seed line lets the user replay exactly
                    // this failure
                    String replay =
                        m.lines()
                            .filter(l -> l.contains("-Dcoffer.tck.seed="))
                            .findFirst()
                            .map(l -> " " + l.strip())
                            .orElse("");
                    String shown =
                        id.getDisplayName()
                            + ": "
                            + m.strip().lines().findFirst().orElse("")
                            + replay;
                    if (m.matches("(?s)P[0-9]+ set-up failed: .*")) {
                      o.setUpFailed++;
                      o.firstSetUpFailure =
                          o.firstSetUpFailure == null ? shown : o.firstSetUpFailure;
                    } else {
                      o.failed++;
                      o.firstFailure = o.firstFailure == null ? shown : o.firstFailure;
                    }
                }
              });
    }

    private Optional<Outcome> rule(TestIdentifier id) {
      Optional<TestSource> source = id.getSource();
      if (source.isEmpty() || !(source.get() instanceof MethodSource)) {
        return Optional.empty();
      }
      String method = ((MethodSource) source.get()).getMethodName();
      if (!method.matches("p[0-9]+_.*")) {
        return Optional.empty();
      }
      int n = Integer.parseInt(method.substring(1, method.indexOf('_')));
      return Optional.of(rules.computeIfAbsent(n, k -> new Outcome()));
    }
  }
}
