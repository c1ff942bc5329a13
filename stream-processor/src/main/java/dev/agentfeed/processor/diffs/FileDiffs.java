package dev.agentfeed.processor.diffs;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Unified diffs of file content and what a dashboard shows of them. Pure functions of their input:
 * the processor decides what content to compare, this class only compares and summarises.
 */
final class FileDiffs {

  /** The preview never has more lines than this, its marker included. */
  static final int PREVIEW_MAX_LINES = 100;

  /** The preview is never larger than this in UTF-8, its marker included. */
  static final int PREVIEW_MAX_BYTES = 5 * 1024;

  /** Lines of unchanged context around each change, as {@code diff -u} and git use. */
  private static final int CONTEXT_LINES = 3;

  /** Where a created or deleted file's other side is, as in git. */
  private static final String NO_FILE = "/dev/null";

  /** Room kept for "… N more lines" (at most 4 + 10 + 11 bytes). */
  private static final int MARKER_RESERVE_BYTES = 32;

  /** {@code @@ -start[,count] +start[,count] @@}; a missing count is 1. */
  private static final Pattern HUNK_HEADER =
      Pattern.compile("@@ -\\d+(?:,(\\d+))? \\+\\d+(?:,(\\d+))? @@");

  private final long maxContentBytes;

  FileDiffs(long maxContentBytes) {
    this.maxContentBytes = maxContentBytes;
  }

  /** A diff with its counts and preview. */
  record Diff(String text, String preview, int linesAdded, int linesRemoved) {}

  /**
   * Why {@code content} is not diffed, or null when it can be: NUL bytes mean binary, and content
   * over the configured size is not diffed (nor kept) to bound the processor's memory and records.
   */
  String skipReason(String content) {
    if (content == null) {
      return null;
    }
    if (content.indexOf('\0') >= 0) {
      return "binary";
    }
    // A char is at most 3 UTF-8 bytes: only count exactly when it could matter.
    if ((long) content.length() * 3 > maxContentBytes
        && content.getBytes(StandardCharsets.UTF_8).length > maxContentBytes) {
      return "too large";
    }
    return null;
  }

  /**
   * The unified diff from {@code before} to {@code after}; a null side is a file that does not
   * exist (created or deleted), labelled {@code /dev/null}.
   */
  Diff between(String path, String before, String after) {
    List<String> original = lines(before);
    Patch<String> patch = DiffUtils.diff(original, lines(after));
    List<String> unified =
        UnifiedDiffUtils.generateUnifiedDiff(
            before == null ? NO_FILE : path,
            after == null ? NO_FILE : path,
            original,
            patch,
            CONTEXT_LINES);
    int added = 0;
    int removed = 0;
    for (AbstractDelta<String> delta : patch.getDeltas()) {
      added += delta.getTarget().size();
      removed += delta.getSource().size();
    }
    if (!unified.isEmpty()) {
      unified = emptySidesAtLineZero(unified, original.isEmpty(), after == null || after.isEmpty());
    }
    String text = unified.isEmpty() ? "" : String.join("\n", unified) + "\n";
    return new Diff(text, preview(text), added, removed);
  }

  /**
   * A diff the agent sent ready-made, kept as it is and counted hunk by hunk: the hunk headers say
   * how many lines each hunk holds, so a removed line that reads {@code --- x} is not taken for a
   * file header. Lines outside hunks (file headers, {@code diff --git}, index lines) count nothing.
   */
  Diff ofReady(String diff) {
    int added = 0;
    int removed = 0;
    int oldLeft = 0;
    int newLeft = 0;
    for (String line : diff.lines().toList()) {
      if (oldLeft > 0 || newLeft > 0) {
        if (line.startsWith("+")) {
          added++;
          newLeft--;
        } else if (line.startsWith("-")) {
          removed++;
          oldLeft--;
        } else if (!line.startsWith("\\")) {
          oldLeft--;
          newLeft--;
        }
        continue;
      }
      Matcher hunk = HUNK_HEADER.matcher(line);
      if (hunk.lookingAt()) {
        oldLeft = count(hunk.group(1));
        newLeft = count(hunk.group(2));
      }
    }
    return new Diff(diff, preview(diff), added, removed);
  }

  private static int count(String group) {
    return group == null ? 1 : Integer.parseInt(group);
  }

  /**
   * The first lines of {@code diff}, at most {@link #PREVIEW_MAX_LINES} lines and {@link
   * #PREVIEW_MAX_BYTES} bytes in all; when lines are left out, the last line says how many.
   */
  static String preview(String diff) {
    List<String> lines = diff.lines().toList();
    if (lines.size() <= PREVIEW_MAX_LINES
        && diff.getBytes(StandardCharsets.UTF_8).length <= PREVIEW_MAX_BYTES) {
      return diff;
    }
    StringBuilder preview = new StringBuilder();
    int bytes = 0;
    int taken = 0;
    while (taken < lines.size() && taken < PREVIEW_MAX_LINES - 1) {
      int lineBytes = lines.get(taken).getBytes(StandardCharsets.UTF_8).length + 1;
      if (bytes + lineBytes > PREVIEW_MAX_BYTES - MARKER_RESERVE_BYTES) {
        break;
      }
      preview.append(lines.get(taken)).append('\n');
      bytes += lineBytes;
      taken++;
    }
    return preview.append("… ").append(lines.size() - taken).append(" more lines\n").toString();
  }

  /**
   * java-diff-utils numbers an empty side from 1 ({@code @@ -1,0 +1,2 @@}); {@code diff -u}, git
   * and patch tools expect 0 ({@code @@ -0,0 +1,2 @@}). An empty side has exactly one hunk.
   */
  private static List<String> emptySidesAtLineZero(
      List<String> unified, boolean emptyBefore, boolean emptyAfter) {
    List<String> fixed = new ArrayList<>(unified);
    for (int i = 0; i < fixed.size(); i++) {
      String line = fixed.get(i);
      if (line.startsWith("@@ ")) {
        if (emptyBefore) {
          line = line.replaceFirst("^@@ -1,0 ", "@@ -0,0 ");
        }
        if (emptyAfter) {
          line = line.replaceFirst(" \\+1,0 @@", " +0,0 @@");
        }
        fixed.set(i, line);
      }
    }
    return fixed;
  }

  /** Lines without their terminators; no content is no lines. */
  private static List<String> lines(String content) {
    return content == null ? List.of() : content.lines().toList();
  }
}
