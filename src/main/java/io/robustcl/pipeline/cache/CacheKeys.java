package io.robustcl.pipeline.cache;

import java.util.regex.Pattern;

/** The form of keys and hashes in the store: 64 lowercase hex digits (a SHA-256). */
public final class CacheKeys {

  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

  private CacheKeys() {}

  /** True if {@code s} is 64 lowercase hex digits. */
  public static boolean isValid(String s) {
    return HEX_SHA256.matcher(s).matches();
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
