package org.sparoa.analyzer.internal;

import java.util.Map;

/**
 * Operators that only move, copy, reinterpret or index data: 0 FLOPs (their bytes still count).
 * Cast counts 0 too: a conversion, not arithmetic.
 */
final class DataMovementOps {
    private DataMovementOps() {
    }

    static final String[] TYPES = {"Reshape", "Transpose", "Concat", "Split", "Slice", "Gather",
        "GatherElements", "GatherND", "ScatterND", "ScatterElements", "Squeeze", "Unsqueeze", "Flatten", "Pad",
        "Identity", "Shape", "Size", "Cast", "CastLike", "Expand", "Tile", "ConstantOfShape", "Constant", "Dropout",
        "DepthToSpace", "SpaceToDepth", "Range", "NonZero", "EyeLike", "Trilu", "ReverseSequence", "Compress",
        "OneHot", "SplitToSequence", "ConcatFromSequence"};

    static void register(Map<String, FlopRule> rules) {
        for (String type : TYPES) {
            rules.put(type, op -> 0L);
        }
    }
}
