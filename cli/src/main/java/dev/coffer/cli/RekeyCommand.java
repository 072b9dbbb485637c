package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupRepository;
import dev.coffer.RekeyReport;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.OptionInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "rekey",
    description =
        "Re-wrap every backup's keys to new keys without rewriting any data (archive format 2):"
            + " afterwards the repository opens with the new keys only. The current keys are"
            + " given as for the other commands, the new ones as files (or recipients); an"
            + " interrupted rekey is finished by running it again with the same new keys.")
final class RekeyCommand extends CliCommand {

  @Option(
      names = "--new-key-file",
      paramLabel = "FILE",
      description = "File holding the new key (as made by coffer keygen).")
  Path newKeyFile;

  @Option(
      names = "--new-passphrase-file",
      paramLabel = "FILE",
      description = "File holding the new passphrase.")
  Path newPassphraseFile;

  @Option(
      names = "--new-recipient",
      paramLabel = "RECIPIENT",
      description = "A new X25519 recipient (coffer-x25519-public:...) of a write-only repository.")
  String newRecipient;

  @Option(
      names = "--new-recipients-file",
      paramLabel = "FILE",
      description = "File of the new X25519 recipients, one a line (the full new set).")
  Path newRecipientsFile;

  @Override
  public Integer call() throws IOException {
    BackupProvider provider = Repositories.provider(cli);
    Map<String, String> newKeys = newKeys(provider);
    try (BackupRepository repo = Repositories.open(cli)) {
      cli.doing("rekey of " + cli.displayUrl());
      long[] lastTold = {0};
      RekeyReport done =
          repo.rekey(
              newKeys,
              r -> {
                long now = System.nanoTime();
                if (!json() && !cli.quiet && now - lastTold[0] > 1_000_000_000L) {
                  lastTold[0] = now;
                  cli.err.println("rekey: " + describe(r));
                }
              });
      if (json()) {
        ObjectNode doc = Json.object();
        doc.put("backups", done.backups());
        doc.put("rekeyed", done.rekeyed());
        doc.put("skipped", done.skipped());
        doc.put("bytesWritten", done.bytesWritten());
        Json.print(cli.out, doc);
      } else {
        out().println("Rekeyed " + describe(done) + ". Open the repository with the new keys.");
      }
    }
    return CofferCli.OK;
  }

  private static String describe(RekeyReport r) {
    return r.rekeyed()
        + " of "
        + r.backups()
        + " backups ("
        + r.skipped()
        + " already done), "
        + r.bytesWritten()
        + " bytes written";
  }

  /** The new keys as the provider's options: files by path where it takes them so. */
  private Map<String, String> newKeys(BackupProvider provider) throws IOException {
    Map<String, OptionInfo> declared = new LinkedHashMap<>();
    provider.options().forEach(o -> declared.put(o.name(), o));
    Map<String, String> keys = new LinkedHashMap<>();
    secret(declared, keys, Repositories.KEY, newKeyFile, "--new-key-file");
    secret(declared, keys, Repositories.PASSPHRASE, newPassphraseFile, "--new-passphrase-file");
    if (newRecipient != null) {
      keys.put("recipient", newRecipient);
    }
    if (newRecipientsFile != null) {
      keys.put("recipients-file", newRecipientsFile.toAbsolutePath().toString());
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          "rekey needs the new keys: --new-key-file, --new-passphrase-file, --new-recipient or"
              + " --new-recipients-file");
    }
    return keys;
  }

  private void secret(
      Map<String, OptionInfo> declared,
      Map<String, String> keys,
      String name,
      Path file,
      String flag)
      throws IOException {
    if (file == null) {
      return;
    }
    OptionInfo byFile = declared.get(name + "-file");
    if (byFile != null && !byFile.secret()) {
      keys.put(name + "-file", file.toAbsolutePath().toString());
    } else {
      String value = Repositories.readSecret(file, flag);
      cli.secret(value);
      keys.put(name, value);
    }
  }
}
