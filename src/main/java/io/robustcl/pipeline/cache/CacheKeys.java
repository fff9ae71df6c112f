package io.robustcl.pipeline.cache;

/** The form of keys and hashes in the store: 64 lowercase hex digits (a SHA-256). */
public final class CacheKeys {

  private CacheKeys() {}

  /** True if {@code s} is 64 lowercase hex digits. */
  public static boolean isValid(String s) {
    // a loop, not a regex: every look-up, lease and lock checks its key
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns {@code key} if it is 64 lowercase hex digits; anything else (which could name a
   * path outside the store) is rejected.
   *
   * @throws IllegalArgumentException naming the bad key
   */
  public static String requireValid(String key) {
    if (!isValid(key)) {
      String shown = key.length() > 80 ? key.substring(0, 80) + "..." : key;
      throw new IllegalArgumentException(
          "bad cache key '" + shown + "': expected 64 lowercase hex digits (a SHA-256)");
    }
    return key;
  }
}
