package dev.agentfeed.processor.assembly;

import java.util.ArrayList;
import java.util.List;

/**
 * A message being streamed, as {@code open-messages-store} keeps it: the wall-clock time of its
 * latest chunk, how many blocks of its earlier chunks were sealed into {@code
 * message-blocks-store}, and the chunks since then, in arrival order. The store writes it behind,
 * once per commit, so {@code parts} is appended to in place; sealing keeps what each commit
 * rewrites small.
 *
 * @param openChars the length of the texts in {@code parts}
 */
record OpenMessage(long lastChunkAt, int sealedBlocks, int openChars, List<ChunkPart> parts) {

  static OpenMessage first(long now, ChunkPart part) {
    List<ChunkPart> parts = new ArrayList<>();
    parts.add(part);
    return new OpenMessage(now, 0, part.text().length(), parts);
  }

  /** This message with {@code part} appended to its open chunks (the list is shared). */
  OpenMessage with(long now, ChunkPart part) {
    parts.add(part);
    return new OpenMessage(now, sealedBlocks, openChars + part.text().length(), parts);
  }

  /** This message after its open chunks were sealed as block number {@code sealedBlocks}. */
  OpenMessage sealed() {
    return new OpenMessage(lastChunkAt, sealedBlocks + 1, 0, new ArrayList<>());
  }
}
