package dev.coffer.cli;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.NoSuchBackupException;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Opens the repository the command line names, passing secrets the way the provider's {@link
 * BackupProvider#options()} says it takes them: a file by path when it declares a {@code key-file}
 * / {@code passphrase-file} option, else the file's content as the secret {@code key} / {@code
 * passphrase}. Secrets never come from a plain command-line value.
 */
final class Repositories {
  static final String KEY = "key";
  static final String PASSPHRASE = "passphrase";

  private Repositories() {}

  /** Opens the repository of {@code --repo} / {@code COFFER_REPO} with the secrets given. */
  static BackupRepository open(CofferCli cli) throws IOException {
    return open(cli, false);
  }

  /**
   * Opens the repository; with {@code confirm}, a passphrase typed at the prompt is asked twice
   * (for {@code init}, where a typo would lock the backups away).
   */
  static BackupRepository open(CofferCli cli, boolean confirm) throws IOException {
    String url = cli.repositoryUrl();
    cli.doing("opening repository " + cli.displayUrl());
    Optional<String> name = providerName(url);
    if (name.isEmpty()) {
      return BackupProviders.open(url); // throws the API's own message for a malformed URL
    }
    BackupProvider provider = BackupProviders.provider(name.get());
    BackupRepository repo = BackupProviders.open(url, secretOptions(cli, provider, confirm));
    cli.doing(null);
    return repo;
  }

  /** The provider that {@code --repo} names. */
  static BackupProvider provider(CofferCli cli) {
    String url = cli.repositoryUrl();
    return BackupProviders.provider(
        providerName(url)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "repository URL must have the form coffer:<provider>:<location>: " + url)));
  }

  /** The provider name in {@code coffer:<name>:...}, if the URL has that shape. */
  static Optional<String> providerName(String url) {
    if (!url.startsWith("coffer:")) {
      return Optional.empty();
    }
    int colon = url.indexOf(':', "coffer:".length());
    return colon < 0 ? Optional.empty() : Optional.of(url.substring("coffer:".length(), colon));
  }

  /** Resolves {@code latest} to the newest backup's id; other ids are returned as given. */
  static BackupId resolveId(BackupRepository repo, String id) throws IOException {
    if (!"latest".equals(id)) {
      return BackupId.of(
          id); // a malformed id fails here, naming it, before the repository is asked
    }
    return repo.latest()
        .map(BackupMetadata::id)
        .orElseThrow(() -> new NoSuchBackupException("latest (the repository has no backups)"));
  }

  static Map<String, String> secretOptions(CofferCli cli, BackupProvider provider, boolean confirm)
      throws IOException {
    Map<String, OptionInfo> declared = new LinkedHashMap<>();
    provider.options().forEach(o -> declared.put(o.name(), o));
    Map<String, String> options = new LinkedHashMap<>();
    addSecret(
        cli,
        options,
        declared,
        provider,
        KEY,
        cli.keyFile,
        "--key-file",
        cli.env.variable("COFFER_KEY"));
    addSecret(
        cli,
        options,
        declared,
        provider,
        PASSPHRASE,
        cli.passphraseFile,
        "--passphrase-file",
        cli.env.variable("COFFER_PASSPHRASE"));
    boolean anySecretDeclared = declared.values().stream().anyMatch(OptionInfo::secret);
    if (options.isEmpty()
        && anySecretDeclared
        && !cli.noPrompt
        && cli.env.terminal()
        && provider.capabilities().contains(Capability.ENCRYPTION)
        && isSecret(declared, PASSPHRASE)) {
      char[] typed = cli.env.passwords().read("Passphrase for " + cli.displayUrl() + ": ");
      if (typed != null) {
        try {
          if (confirm) {
            char[] again = cli.env.passwords().read("Repeat the passphrase: ");
            boolean same = again != null && Arrays.equals(typed, again);
            if (again != null) {
              Arrays.fill(again, '\0');
            }
            if (!same) {
              throw new IllegalArgumentException("the passphrases typed do not match");
            }
          }
          String secret = new String(typed);
          cli.secret(secret);
          options.put(PASSPHRASE, secret);
        } finally {
          Arrays.fill(typed, '\0');
        }
      }
    }
    return options;
  }

  private static void addSecret(
      CofferCli cli,
      Map<String, String> options,
      Map<String, OptionInfo> declared,
      BackupProvider provider,
      String name,
      Path file,
      String flag,
      String fromEnv)
      throws IOException {
    String fileOption = name + "-file";
    if (file != null) {
      if (declared.containsKey(fileOption) && !declared.get(fileOption).secret()) {
        options.put(fileOption, file.toAbsolutePath().toString());
      } else if (isSecret(declared, name)) {
        String secret = readSecret(file, flag);
        cli.secret(secret);
        options.put(name, secret);
      } else {
        throw new IllegalArgumentException(
            "provider '"
                + provider.name()
                + "' takes no "
                + name
                + ", so "
                + flag
                + " cannot be used with it");
      }
    } else if (fromEnv != null && isSecret(declared, name)) {
      // An environment variable set for other repositories is ignored by providers that take no
      // such secret.
      options.put(name, fromEnv);
    }
  }

  private static boolean isSecret(Map<String, OptionInfo> declared, String name) {
    OptionInfo o = declared.get(name);
    return o != null && o.secret();
  }

  /**
   * Reads a key or passphrase file, dropping one trailing line break (as editors and echo add one).
   * A failure names the flag, never the path: a user may have pasted the secret itself where the
   * path belongs.
   */
  static String readSecret(Path file, String flag) throws IOException {
    String s;
    try {
      s = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IOException(
          "cannot read the file given with "
              + flag
              + " ("
              + e.getClass().getSimpleName()
              + "; its name is not shown)");
    }
    if (s.endsWith("\r\n")) {
      return s.substring(0, s.length() - 2);
    }
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }
}
