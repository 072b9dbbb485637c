package dev.coffer.testkit;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.VerifyReport;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.OptionInfo;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Rules P1 to P4 of the provider contract: the provider class and its registration, its name,
 * description, options and capabilities, the refusal of unknown, missing and malformed options, and
 * secret option values that never appear anywhere.
 */
final class ProviderRules extends ConformanceEnvironment {

  ProviderRules(ConformanceEnvironment env) {
    super(env);
  }

  void p01_provider_isPublicWithNoArgConstructorAndRegistered() throws Exception {
    Class<? extends BackupProvider> type = provider.getClass();
    check(
        Modifier.isPublic(type.getModifiers()) && !Modifier.isAbstract(type.getModifiers()),
        "P1",
        () -> type.getName() + " is not a public concrete class");
    BackupProvider fresh;
    try {
      fresh = type.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw broken("P1", type.getName() + " has no public no-argument constructor: " + e, e);
    }
    check(provider.name().equals(fresh.name()), "P1", () -> "a new instance has another name");
    boolean registered =
        ServiceLoader.load(BackupProvider.class, type.getClassLoader()).stream()
            .anyMatch(p -> p.type() == type);
    check(
        registered,
        "P1",
        () ->
            type.getName()
                + " is not registered in META-INF/services/dev.coffer.spi.BackupProvider (or with provides ... with)");
    // Both registrations, whichever way this JVM runs: a provider tested on the class path must
    // still work
    // on the module path, and the other way round.
    java.lang.module.ModuleDescriptor descriptor =
        type.getModule().isNamed()
            ? type.getModule().getDescriptor()
            : Registrations.moduleDescriptor(type).orElse(null);
    if (descriptor != null) {
      boolean provides =
          descriptor.provides().stream()
              .anyMatch(
                  p ->
                      p.service().equals(BackupProvider.class.getName())
                          && p.providers().contains(type.getName()));
      check(
          provides,
          "P1",
          () ->
              "module "
                  + descriptor.name()
                  + " does not declare provides "
                  + BackupProvider.class.getName()
                  + " with "
                  + type.getName());
    }
    check(
        Registrations.listedInServicesFile(type),
        "P1",
        () ->
            type.getName()
                + " is not listed in "
                + "META-INF/services/"
                + BackupProvider.class.getName()
                + " of its own jar or directory (class-path users "
                + "find providers there, even when a module-info declares provides)");
  }

  void p02_nameDescriptionOptionsAndCapabilities_areWellFormedAndStable() {
    String name = provider.name();
    check(
        name != null && name.matches("[a-z][a-z0-9-]*"),
        "P2",
        () -> "name() '" + name + "' does not match [a-z][a-z0-9-]*");
    String description = provider.description();
    check(
        description != null
            && !description.isBlank()
            && description.indexOf('\n') < 0
            && description.indexOf('\r') < 0,
        "P2",
        () -> "description() must be one non-empty line: '" + description + "'");
    Set<String> names = new HashSet<>();
    for (OptionInfo o : provider.options()) {
      check(names.add(o.name()), "P2", () -> "option '" + o.name() + "' is described twice");
    }
    check(
        provider.capabilities().equals(capabilities)
            && provider().capabilities().equals(capabilities),
        "P2",
        () -> "capabilities() is not stable across calls and instances");
    check(
        provider.options().equals(provider().options()),
        "P2",
        () -> "options() is not stable across instances");
    List<BackupProvider> installed;
    try {
      installed = BackupProviders.installed(provider.getClass().getClassLoader());
    } catch (IllegalStateException e) {
      throw broken("P2", "BackupProviders.installed() fails: " + e.getMessage(), e);
    }
    for (BackupProvider p : installed) {
      check(
          !p.name().equals(name) || p.getClass() == provider.getClass(),
          "P2",
          () ->
              "another installed provider, "
                  + p.getClass().getName()
                  + ", is also named '"
                  + name
                  + "'");
    }
  }

  void p03_unknownMissingOrMalformedOption_failsNamingItAndCreatesNothing(Fs fs) throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    Map<String, String> unknown = new LinkedHashMap<>(options());
    unknown.put("coffer-tck-no-such-option", "1");
    IllegalArgumentException e =
        expect(
            IllegalArgumentException.class,
            "P3",
            "open with an unknown option",
            () -> openAt(provider, location, unknown).close());
    check(
        String.valueOf(e.getMessage()).contains("coffer-tck-no-such-option"),
        "P3",
        () -> "the message does not name the unknown option: " + e.getMessage());
    check(
        !Files.exists(location, LinkOption.NOFOLLOW_LINKS),
        "P3",
        () -> "open with an unknown option created " + location);
    for (OptionInfo o : provider.options()) {
      if (!o.required()) {
        continue;
      }
      Map<String, String> missing = new LinkedHashMap<>(options());
      missing.remove(o.name());
      IllegalArgumentException m =
          expect(
              IllegalArgumentException.class,
              "P3",
              "open without the required option '" + o.name() + "'",
              () -> openAt(provider, location, missing).close());
      check(
          String.valueOf(m.getMessage()).contains(o.name()),
          "P3",
          () ->
              "the message does not name the missing option '" + o.name() + "': " + m.getMessage());
      check(
          !Files.exists(location, LinkOption.NOFOLLOW_LINKS),
          "P3",
          () -> "a failed open created " + location);
    }
    for (OptionInfo o : provider.options()) {
      String d = o.defaultValue();
      String bad =
          d == null
              ? null
              : d.equalsIgnoreCase("true") || d.equalsIgnoreCase("false")
                  ? "coffer-tck-not-a-boolean"
                  : d.matches("-?[0-9]+") ? "coffer-tck-not-a-number" : null;
      if (bad == null) {
        continue;
      }
      Map<String, String> malformed = new LinkedHashMap<>(options());
      malformed.put(o.name(), bad);
      IllegalArgumentException m =
          expect(
              IllegalArgumentException.class,
              "P3",
              "open with the malformed value '"
                  + bad
                  + "' for option '"
                  + o.name()
                  + "' (default "
                  + d
                  + ")",
              () -> openAt(provider, location, malformed).close());
      check(
          String.valueOf(m.getMessage()).contains(o.name()),
          "P3",
          () ->
              "the message does not name the malformed option '"
                  + o.name()
                  + "': "
                  + m.getMessage());
      check(
          !Files.exists(location, LinkOption.NOFOLLOW_LINKS),
          "P3",
          () -> "a failed open created " + location);
    }
    try (BackupRepository repo = openAt(provider, location, options())) {
      check(
          repo.list().isEmpty(), "P3", () -> "a new repository opened with options() is not empty");
    }
  }

  void p03_caseVariantOptionsAndOddNumbers_areRefused_andARefusedOpenChangesNothing(Fs fs)
      throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    try (BackupRepository repo = openAt(provider, location, options())) {
      repo.backup(smallTree(root.resolve("src")));
    }
    Snapshot before = Snapshot.of(root);
    List<Map<String, String>> refused = new ArrayList<>();
    for (OptionInfo o : provider.options()) {
      String upper = o.name().toUpperCase(java.util.Locale.ROOT);
      Map<String, String> variant = new LinkedHashMap<>(options());
      variant.put(upper, o.defaultValue() != null ? o.defaultValue() : "1");
      refused.add(variant);
      String d = o.defaultValue();
      if (d != null && d.matches("-?[0-9]+")) {
        for (String bad :
            List.of("", d + "x", "0x10", "99999999999999999999", "1e3", "+" + d + "-")) {
          Map<String, String> malformed = new LinkedHashMap<>(options());
          malformed.put(o.name(), bad);
          refused.add(malformed);
        }
      }
    }
    for (Map<String, String> opts : refused) {
      String shown = opts.toString().replaceAll("=[^,}]{24,}", "=...");
      expect(
          IllegalArgumentException.class,
          "P3",
          "open with options " + shown,
          () -> openAt(provider, location, opts).close());
      unchanged(
          "P3", "a refused open of an existing repository (options " + shown + ")", before, root);
    }
  }

  void p04_secretOptionValues_neverAppearInMessagesToStringsOrStoredFiles(Fs fs) throws Exception {
    Map<String, String> secrets = new TreeMap<>();
    for (OptionInfo o : provider.options()) {
      String v = options().get(o.name());
      if (o.secret() && v != null && v.length() >= 4) {
        secrets.put(o.name(), v);
      }
    }
    // Secret options that options() leaves unset get a recognizable planted value of their own.
    Map<String, String> planted = new TreeMap<>();
    for (OptionInfo o : provider.options()) {
      if (o.secret() && !options().containsKey(o.name())) {
        // 64 hex digits with a recognizable start: valid as a hex key, a base64 text or a
        // passphrase
        long mix = seed ^ o.name().hashCode();
        planted.put(
            o.name(), String.format("c0ffee7c4%016x%016x%016x%07x", mix, ~mix, mix * 31, 0xc0ffee));
      }
    }
    Assumptions.assumeFalse(
        secrets.isEmpty() && planted.isEmpty(),
        "P4 not exercised: the provider declares no secret option");
    // every log line of every logger (System.Logger's default bridge is java.util.logging), at
    // every level
    LogCapture logs = LogCapture.start("");
    cleanup.add(logs);
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path location = root.resolve("repo");
    List<String> seen = new ArrayList<>();
    for (Map.Entry<String, String> p : planted.entrySet()) {
      Map<String, String> withPlanted = new LinkedHashMap<>(options());
      withPlanted.put(p.getKey(), p.getValue());
      collect(
          seen,
          () -> {
            try (BackupRepository r =
                openAt(provider, root.resolve("planted-" + p.getKey()), withPlanted)) {
              seen.add(r.toString());
              BackupMetadata pb = r.backup(source);
              seen.add(pb.toString());
              seen.add(r.list().toString());
              seen.add(r.verify(pb.id()).toString());
              collect(
                  seen, () -> r.restore(BackupId.of("no-such-backup"), root.resolve("planted-t")));
              collect(seen, () -> r.restore(pb.id(), source));
            }
          });
      secrets.put(p.getKey(), p.getValue());
    }
    BackupRepository repo = open(location);
    seen.add(repo.toString());
    BackupMetadata b = repo.backup(BackupRequest.full(source).withLabel("k", "v"));
    seen.add(b.toString());
    seen.add(repo.list().toString());
    VerifyReport report = repo.verify(b.id());
    seen.add(report.toString());
    collect(seen, () -> repo.restore(BackupId.of("no-such-backup"), root.resolve("t1")));
    collect(seen, () -> repo.verify(BackupId.of("../x")));
    collect(seen, () -> repo.delete(BackupId.of("no-such-backup")));
    collect(seen, () -> repo.storedBytes(BackupId.of("no-such-backup")));
    collect(seen, () -> repo.backup(root.resolve("no-such-source")));
    Path nonEmpty = Files.createDirectories(root.resolve("t2"));
    Files.writeString(nonEmpty.resolve("x"), "x");
    collect(seen, () -> repo.restore(b.id(), nonEmpty));
    Map<String, String> unknown = new LinkedHashMap<>(options());
    unknown.put("coffer-tck-no-such-option", "1");
    collect(seen, () -> openAt(provider, root.resolve("other"), unknown).close());
    for (String name : secrets.keySet()) {
      Map<String, String> malformed = new LinkedHashMap<>(options());
      malformed.put(name, secrets.get(name) + "\u0000!");
      collect(seen, () -> openAt(provider, root.resolve("malformed"), malformed).close());
    }
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    String url =
        "coffer:"
            + provider.name()
            + ":"
            + location.toUri()
            + "?"
            + secrets.keySet().iterator().next()
            + "=x";
    boolean installed =
        BackupProviders.installed(provider.getClass().getClassLoader()).stream()
            .anyMatch(p -> p.getClass() == provider.getClass());
    if (installed) {
      ClassLoader saved = Thread.currentThread().getContextClassLoader();
      Thread.currentThread().setContextClassLoader(provider.getClass().getClassLoader());
      try {
        collect(seen, () -> BackupProviders.open(url).close());
        check(
            seen.get(seen.size() - 1).contains("IllegalArgumentException"),
            "P4",
            () ->
                "a secret option in a repository URL was not refused with IllegalArgumentException: "
                    + seen.get(seen.size() - 1));
      } finally {
        Thread.currentThread().setContextClassLoader(saved);
      }
    }
    logs.entries()
        .forEach(
            e -> seen.add("log line of " + e.logger() + " at " + e.level() + ": " + e.message()));
    Snapshot stored = Snapshot.of(root);
    for (Map.Entry<String, String> s : secrets.entrySet()) {
      for (String text : seen) {
        check(
            !text.contains(s.getValue()),
            "P4",
            () ->
                "the value of secret option '"
                    + s.getKey()
                    + "' appears in: "
                    + text.replace(s.getValue(), "<SECRET>"));
      }
      byte[] needle = s.getValue().getBytes(StandardCharsets.UTF_8);
      for (Map.Entry<String, Snapshot.Entry> e : stored.entries().entrySet()) {
        byte[] bytes = e.getValue().bytes();
        check(
            bytes == null || indexOf(bytes, needle) < 0,
            "P4",
            () ->
                "the value of secret option '"
                    + s.getKey()
                    + "' is stored in clear in "
                    + e.getKey());
      }
    }
  }

  /**
   * Runs {@code action} and records the text of any exception it throws, with causes and
   * suppressed.
   */
  private static void collect(List<String> seen, Action action) {
    try {
      action.run();
    } catch (Throwable t) {
      java.io.StringWriter w = new java.io.StringWriter();
      t.printStackTrace(new java.io.PrintWriter(w));
      seen.add(t + "\n" + w);
    }
  }
}
