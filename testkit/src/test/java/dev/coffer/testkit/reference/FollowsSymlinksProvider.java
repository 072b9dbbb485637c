package dev.coffer.testkit.reference;

/** The reference provider broken on purpose: {@link ReferenceProvider.Broken#FOLLOWS_SYMLINKS}. */
public final class FollowsSymlinksProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public FollowsSymlinksProvider() {}

  @Override
  public String name() {
    return "tck-broken-follows-symlinks";
  }

  @Override
  Broken broken() {
    return Broken.FOLLOWS_SYMLINKS;
  }
}
