package dev.coffer.testkit.reference;

/** The POSIX reference provider broken on purpose: {@link ReferenceProvider.Broken#MODES_WRONG}. */
public final class ModesWrongProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public ModesWrongProvider() {}

  @Override
  public String name() {
    return "tck-broken-modes-wrong";
  }

  @Override
  boolean posix() {
    return true;
  }

  @Override
  Broken broken() {
    return Broken.MODES_WRONG;
  }
}
