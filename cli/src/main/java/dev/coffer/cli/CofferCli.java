package dev.coffer.cli;

import dev.coffer.BackupProviders;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.WrongKeyException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code coffer} command: back up, list, verify, restore and prune Coffer repositories from a
 * shell. Run {@code coffer --help} for the commands; {@code docs/cli.md} documents options, exit
 * codes and JSON output.
 *
 * <p>Exit codes: 0 success, 1 verification or integrity failure, 2 usage error, 3 any other error,
 * 4 a backup completed with warnings (files that changed while read).
 */
@Command(
    name = "coffer",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = CofferCli.Version.class,
    sortOptions = false,
    description = "Pluggable, verifiable backups for host databases.",
    footer = {
      "",
      "Exit codes: 0 success, 1 integrity failure, 2 usage error, 3 other error,",
      "4 backup completed with warnings (files changed while read).",
      "Keys and passphrases: --key-file, --passphrase-file, $COFFER_KEY,",
      "$COFFER_PASSPHRASE or a prompt; never a plain command-line value.",
      "Full documentation: docs/cli.md"
    })
public final class CofferCli implements Callable<Integer> {

  /**
   * The subcommands, in the order {@code --help} lists them. Registered by {@link #commandLine},
   * only the one the arguments name when they name one: picocli builds each command's model by
   * reflection, and building all of them is a good part of a cold start (docs/benchmarks.md, "Cold
   * start").
   */
  static final List<String> SUBCOMMANDS =
      List.of(
          "providers",
          "init",
          "backup",
          "list",
          "show",
          "verify",
          "restore",
          "delete",
          "prune",
          "size",
          "keygen",
          "rekey",
          "demo",
          "validate-store",
          "completion");

  /**
   * Name of the subcommand that prints the shell completion script (it needs every command's
   * model).
   */
  static final String COMPLETION = "completion";

  /**
   * Root options that take a value as the next argument (to find the subcommand name after them).
   */
  private static final Set<String> VALUE_OPTIONS =
      Set.of("--repo", "--key-file", "--passphrase-file");

  /** Exit code: the command did what was asked. */
  static final int OK = 0;

  /** Exit code: a backup failed verification, or stored bytes or a key failed a check. */
  static final int INTEGRITY = 1;

  /** Exit code: the command line or a value in it is wrong. */
  static final int USAGE = 2;

  /** Exit code: anything else went wrong (I/O, missing backup, non-empty target...). */
  static final int FAILURE = 3;

  /**
   * Exit code: a backup was taken and listed, but files changed or vanished while it read them (as
   * borg's 1, "completed with warnings"); each is printed and in the JSON. Not 1: that means a
   * failed check.
   */
  static final int WARNINGS = 4;

  @Option(
      names = "--repo",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      description = "Repository URL, e.g. coffer:local:/var/backups/db (default: $COFFER_REPO).")
  String repo;

  @Option(
      names = "--key-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "File holding the repository key (default: $COFFER_KEY holds the key itself).")
  Path keyFile;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "File holding the passphrase (default: $COFFER_PASSPHRASE, else a prompt).")
  Path passphraseFile;

  @Option(
      names = "--no-prompt",
      scope = ScopeType.INHERIT,
      description = "Never ask for a passphrase on the terminal.")
  boolean noPrompt;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print one JSON document on stdout; progress as JSON lines on stderr.")
  boolean json;

  @Option(
      names = {"-q", "--quiet"},
      scope = ScopeType.INHERIT,
      description = "No progress output.")
  boolean quiet;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Print stack traces on errors.")
  boolean debug;

  @Spec CommandSpec spec;

  final CliEnvironment env;
  PrintWriter out;
  PrintWriter err;

  /** What the running command is doing, for error messages ("restore of backup X into T"). */
  String context;

  private final List<String> secrets = new ArrayList<>();

  CofferCli(CliEnvironment env) {
    this.env = env;
  }

  /**
   * Runs the tool and exits the JVM with its exit code.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = run(args, out, err, CliEnvironment.system());
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * A new instance of the named subcommand. A switch, not a table of constructor references:
   * creating those would load every command's class.
   */
  static Object subcommand(String name) {
    switch (name) {
      case "providers":
        return new ProvidersCommand();
      case "init":
        return new InitCommand();
      case "backup":
        return new BackupCommand();
      case "list":
        return new ListCommand();
      case "show":
        return new ShowCommand();
      case "verify":
        return new VerifyCommand();
      case "restore":
        return new RestoreCommand();
      case "delete":
        return new DeleteCommand();
      case "prune":
        return new PruneCommand();
      case "size":
        return new SizeCommand();
      case "keygen":
        return new KeygenCommand();
      case "rekey":
        return new RekeyCommand();
      case "demo":
        return new DemoCommand();
      case "validate-store":
        return new ValidateStoreCommand();
      case COMPLETION:
        return new AutoComplete.GenerateCompletion();
      default:
        throw new IllegalArgumentException("no such subcommand: " + name);
    }
  }

  /**
   * The subcommands to register for {@code args}: the one named by the first argument that is
   * neither an option nor a root option's value; none for a bare {@code --version}; all of them
   * otherwise (help, an unknown name that picocli should report with suggestions, the completion
   * script).
   */
  static List<String> subcommandsFor(String[] args) {
    boolean version = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        break;
      }
      if (VALUE_OPTIONS.contains(a)) {
        i++;
      } else if (a.equals("-V") || a.equals("--version")) {
        version = true;
      } else if (a.equals("-h") || a.equals("--help")) {
        return SUBCOMMANDS;
      } else if (!a.startsWith("-")) {
        return SUBCOMMANDS.contains(a) && !a.equals(COMPLETION) ? List.of(a) : SUBCOMMANDS;
      }
    }
    return version ? List.of() : SUBCOMMANDS;
  }

  /**
   * The picocli command line for {@code args}, with the subcommands {@link #subcommandsFor}
   * chooses.
   */
  static CommandLine commandLine(CofferCli cli, String[] args) {
    CommandLine cmd = new CommandLine(cli);
    for (String name : subcommandsFor(args)) {
      CommandLine sub = new CommandLine(subcommand(name));
      if (name.equals(COMPLETION)) {
        sub.getCommandSpec()
            .usageMessage()
            .hidden(false)
            .description("Print a bash/zsh completion script: source <(coffer completion)");
      }
      cmd.addSubcommand(name, sub);
    }
    return cmd;
  }

  /** Runs the tool in-process and returns its exit code. */
  static int run(String[] args, PrintWriter out, PrintWriter err, CliEnvironment env) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // What scripts run to check an installation: answered without building the picocli model,
      // which
      // is most of a cold start once the classes come from the start-up cache (docs/benchmarks.md).
      for (String line : new Version().getVersion()) {
        out.println(line);
      }
      out.flush();
      return OK;
    }
    CofferCli cli = new CofferCli(env);
    cli.out = out;
    cli.err = err;
    CommandLine cmd = commandLine(cli, args);
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> cli.fail(ex));
    cmd.setParameterExceptionHandler(CofferCli::usageError);
    int code = cmd.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(err);
    return USAGE;
  }

  /** Sets what the command is doing, so an error message can name the backup and path involved. */
  void doing(String what) {
    context = what;
  }

  /** The repository URL from --repo or COFFER_REPO. */
  String repositoryUrl() {
    String url = repo != null ? repo : env.variable("COFFER_REPO");
    if (url == null) {
      throw new IllegalArgumentException("no repository given: use --repo URL or set COFFER_REPO");
    }
    return url;
  }

  /**
   * The repository URL for messages: values of options that may be secret are shown as {@code ***}.
   */
  String displayUrl() {
    return redactUrl(repositoryUrl());
  }

  static String redactUrl(String url) {
    int q = url.indexOf('?');
    if (q < 0) {
      return url;
    }
    Set<String> plain = new HashSet<>();
    try {
      Repositories.providerName(url)
          .map(BackupProviders::provider)
          .ifPresent(
              p -> p.options().stream().filter(o -> !o.secret()).forEach(o -> plain.add(o.name())));
    } catch (RuntimeException e) {
      // unknown provider: every value is redacted
    }
    StringBuilder sb = new StringBuilder(url.substring(0, q + 1));
    String[] pairs = url.substring(q + 1).split("&", -1);
    for (int i = 0; i < pairs.length; i++) {
      int eq = pairs[i].indexOf('=');
      String name = eq < 0 ? pairs[i] : pairs[i].substring(0, eq);
      sb.append(i > 0 ? "&" : "").append(eq < 0 ? "***" : name);
      if (eq >= 0) {
        sb.append('=').append(plain.contains(name) ? pairs[i].substring(eq + 1) : "***");
      }
    }
    return sb.toString();
  }

  /** Remembers a secret value so that no message can print it, whatever produced the message. */
  void secret(String value) {
    if (value != null && value.length() >= 4) {
      secrets.add(value);
    }
  }

  /**
   * Replaces every known secret, and the repository URL's possibly secret option values, in a
   * message.
   */
  String scrub(String message) {
    String m = message;
    String url = repo != null ? repo : env.variable("COFFER_REPO");
    if (url != null && url.indexOf('?') >= 0) {
      m = m.replace(url, redactUrl(url));
      for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
        int eq = pair.indexOf('=');
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        if (value.length() >= 4 && !redactUrl(url).contains(pair)) {
          m = m.replace(value, "***");
        }
      }
    }
    secret(env.variable("COFFER_KEY"));
    secret(env.variable("COFFER_PASSPHRASE"));
    for (String s : secrets) {
      m = m.replace(s, "***");
    }
    return m;
  }

  private int fail(Exception ex) {
    Throwable t = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
    int code = exitCode(t);
    String message = scrub((context != null ? context + ": " : "") + describe(t));
    err.println("coffer: error: " + message);
    if (debug) {
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      err.print(scrub(trace.toString()));
    }
    if (json) {
      Json.printError(out, message, t.getClass().getSimpleName(), code);
    }
    err.flush();
    return code;
  }

  static int exitCode(Throwable t) {
    if (t instanceof CliFailure f) {
      return f.exitCode;
    }
    if (t instanceof CorruptBackupException || t instanceof WrongKeyException) {
      return INTEGRITY;
    }
    if (t instanceof IllegalArgumentException
        || t instanceof UnsupportedOperationException
        || t instanceof ParameterException) {
      return USAGE;
    }
    return FAILURE;
  }

  /** One line saying what went wrong, for any exception (JDK file exceptions carry only a path). */
  static String describe(Throwable t) {
    String m;
    if (t instanceof NoSuchBackupException e) {
      m = "no such backup: " + e.backupId();
    } else if (t instanceof NoSuchFileException e) {
      m = "no such file or directory: " + e.getFile();
    } else if (t instanceof DirectoryNotEmptyException e) {
      m = "directory is not empty: " + e.getFile();
    } else if (t instanceof NotDirectoryException e) {
      m = "not a directory: " + e.getFile();
    } else if (t instanceof FileAlreadyExistsException e) {
      m = "file already exists: " + e.getFile();
    } else if (t instanceof AccessDeniedException e) {
      m = "permission denied: " + e.getFile();
    } else if (t instanceof FileSystemException e && e.getReason() != null) {
      m =
          e.getReason()
              + ": "
              + e.getFile()
              + (e.getOtherFile() != null ? " -> " + e.getOtherFile() : "");
    } else if (t.getMessage() != null && !t.getMessage().isBlank()) {
      m = t.getMessage();
    } else {
      m = t.getClass().getSimpleName();
    }
    return m.lines().map(String::strip).collect(Collectors.joining(" "));
  }

  private static int usageError(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("coffer: error: " + redact(ex));
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return USAGE;
  }

  /**
   * The message of a parse error, without echoing unexpected values: someone who types {@code --key
   * SECRET} gets the option named, never the secret.
   */
  static String redact(ParameterException ex) {
    if (ex instanceof UnmatchedArgumentException u) {
      long values = u.getUnmatched().stream().filter(a -> !a.startsWith("-")).count();
      String options =
          u.getUnmatched().stream()
              .filter(a -> a.startsWith("-"))
              .map(a -> a.contains("=") ? a.substring(0, a.indexOf('=')) + "=..." : a)
              .map(a -> "'" + a + "'")
              .collect(Collectors.joining(", "));
      StringBuilder sb = new StringBuilder();
      if (!options.isEmpty()) {
        sb.append("unknown option ").append(options);
      }
      if (values > 0) {
        sb.append(sb.length() > 0 ? " and " : "")
            .append(values)
            .append(" unexpected argument")
            .append(values > 1 ? "s" : "")
            .append(" (not shown)");
      }
      return sb.toString();
    }
    return describe(ex);
  }

  /** A failure with a chosen exit code and a complete message. */
  static final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    CliFailure(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }

  /** Reads the version written into the jar at build time, and names the JDK the tool runs on. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"coffer " + version(), jdk()};
    }

    /** One line naming the running JDK: version, vendor, VM and its home directory. */
    static String jdk() {
      return "JDK "
          + System.getProperty("java.runtime.version", Runtime.version().toString())
          + " ("
          + System.getProperty("java.vendor", "unknown vendor")
          + ", "
          + System.getProperty("java.vm.name", "unknown VM")
          + ") at "
          + System.getProperty("java.home", "?");
    }

    static String version() {
      try (InputStream in = CofferCli.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          return "unknown";
        }
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      } catch (IOException e) {
        return "unknown";
      }
    }
  }
}
