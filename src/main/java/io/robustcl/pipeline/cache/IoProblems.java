package io.robustcl.pipeline.cache;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * Filesystem errors as one readable phrase. {@code FileSystemException.getMessage()} is often
 * the bare path ({@code AccessDeniedException: /x}), which tells a user nothing; this names
 * the file and what the OS said, and suggests the usual fix.
 */
public final class IoProblems {

  private IoProblems() {}

  /** E.g. {@code "/c/locks: permission denied (check the owner and mode of the cache)"}. */
  public static String describe(IOException e) {
    if (e instanceof FileSystemException fs && fs.getFile() != null) {
      String file = fs.getFile() + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile());
      String reason = fs.getReason();
      if (e instanceof AccessDeniedException) {
        return file + ": permission denied (check the owner and mode of the directory)";
      }
      if (e instanceof NoSuchFileException) {
        return file + ": no such file or directory";
      }
      if (e instanceof NotDirectoryException) {
        return file + ": not a directory";
      }
      if (e instanceof FileAlreadyExistsException) {
        return file + ": exists already (and is not what was expected there)";
      }
      if (e instanceof DirectoryNotEmptyException) {
        return file + ": directory not empty";
      }
      return file + ": " + withHint(reason == null ? e.getClass().getSimpleName() : reason);
    }
    String message = e.getMessage();
    return withHint(message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
  }

  private static String withHint(String reason) {
    String lower = reason.toLowerCase(Locale.ROOT);
    if (lower.contains("no space left")) {
      return reason + " (free disk space, or point --cache at a larger disk)";
    }
    if (lower.contains("read-only file system")) {
      return reason + " (the cache must be writable; point --cache at a writable directory)";
    }
    if (lower.contains("file name too long")) {
      return reason + " (shorten the name)";
    }
    if (lower.contains("not a directory")) {
      return reason + " (a file is where a directory should be)";
    }
    return reason;
  }
}
