package dev.coffer.testkit.reference;

import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.ChangedFilesPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reference provider broken in one narrow case, chosen by its required option {@code broken} (a
 * name of {@link ReferenceProvider.Broken}): the self-test that measures how well the suite catches
 * subtle bugs. A variant that breaks the provider class itself (its name, description or options:
 * P1, P2) is given to the constructor instead, since those answer before any option is seen.
 */
public class SubtlyBrokenProvider extends ReferenceProvider {

  static final String BROKEN = "broken";

  /** The class-level variant, or null (then only the option chooses). */
  private final Broken fixed;

  /** Creates the provider; does no I/O. */
  public SubtlyBrokenProvider() {
    this(null);
  }

  /** A provider broken in {@code fixed} from its construction on (P1, P2 variants). */
  SubtlyBrokenProvider(Broken fixed) {
    this.fixed = fixed;
  }

  @Override
  public String name() {
    return fixed == Broken.NO_ARG_CONSTRUCTOR_GIVES_ANOTHER_NAME
        ? "tck-subtly-broken-configured"
        : "tck-subtly-broken";
  }

  @Override
  public String description() {
    String d = super.description();
    return fixed == Broken.DESCRIPTION_ENDS_WITH_A_NEWLINE ? d + System.lineSeparator() : d;
  }

  @Override
  public List<OptionInfo> options() {
    List<OptionInfo> all = new ArrayList<>(super.options());
    all.add(
        OptionInfo.required(BROKEN, "the rule to break, as a name of ReferenceProvider.Broken"));
    if (fixed == Broken.OPTION_DESCRIBED_TWICE) {
      all.add(ChangedFilesPolicy.CHANGED_FILES); // already declared by the reference provider
    }
    return List.copyOf(all);
  }

  @Override
  Broken broken(Map<String, String> options) {
    String name = options.get(BROKEN);
    if (name == null) {
      throw new IllegalArgumentException(
          "provider '" + name() + "' requires option '" + BROKEN + "'");
    }
    try {
      return Broken.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid value for option '"
              + BROKEN
              + "' of provider '"
              + name()
              + "': expected a name of ReferenceProvider.Broken",
          e);
    }
  }
}
