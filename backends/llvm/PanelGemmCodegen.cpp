// Matmuls against weights that depend on the params alone, on packed panels.
//
// rnnc_prepare packs the weights b of c = a · b (b (K, M)) or c = a · bᵀ
// (b (M, K)) once into ⌈M/32⌉ panels of K rows of 32 floats: row p of panel
// q holds the weights of columns 32q..32q+31 against a[:, p], zeros past M.
// A tile of R rows of a times P panels keeps R·P·2 vectors of sums in
// registers (two sets of them, for even and odd p, in the smaller tiles),
// and for each p loads the P·2 weight vectors of row p (the panels stream
// contiguously), broadcasts R floats of a and does R·P·2 FMAs. No
// horizontal sums, no masks but on the stores, and the bias is where the
// sums start. It is the outer-product microkernel of BLIS and of
// oneDNN's brgemm; on AVX-512 a 8×1 tile reaches the FMA peak and a 1×4
// tile (a matrix-vector product) the cache bandwidth.
#include "absl/strings/str_cat.h"
#include "backends/llvm/Codegen.h"

namespace rnnc::llvm_backend {

namespace {

constexpr int64_t kPanelWidth = kColumnGroup;

struct PanelGemm {
  llvm::Value* a;       // (rows, k)
  llvm::Value* panels;  // ⌈m/32⌉ panels of (k, 32)
  llvm::Value* bias;    // m floats, or null
  llvm::Value* c;       // (rows, m)
  int64_t k;
  int64_t m;
  // This thread's panels: `share` of each gate's `gate_panels`, from
  // `first` on in each, `count` in all.
  int64_t gate_panels;
  llvm::Value* first;
  llvm::Value* share;
  llvm::Value* count;
};

// The panel of this thread's `index`-th (clamped to its last).
llvm::Value* ThreadPanel(Emitter& e, const PanelGemm& gemm, llvm::Value* index) {
  llvm::IRBuilder<>& b = e.builder();
  llvm::Value* last = b.CreateSub(gemm.count, e.Int(1));
  index = b.CreateSelect(b.CreateICmpSLT(index, gemm.count), index, last);
  llvm::Value* share = b.CreateSelect(b.CreateICmpEQ(gemm.share, e.Int(0)), e.Int(1), gemm.share);
  llvm::Value* gate = b.CreateUDiv(index, share);
  return b.CreateAdd(b.CreateMul(gate, e.Int(gemm.gate_panels)),
                     b.CreateAdd(gemm.first, b.CreateURem(index, share)));
}

// b packed into panels, by rnnc_prepare, as the header says.
void EmitPackPanels(Emitter& e, llvm::Value* b_matrix, bool transposed, int64_t k, int64_t m,
                    llvm::Value* packed) {
  llvm::IRBuilder<>& b = e.builder();
  const int64_t panels = (m + kPanelWidth - 1) / kPanelWidth;
  e.LoopNest({e.Int(panels), e.Int(k), e.Int(kPanelWidth)},
             [&](const std::vector<llvm::Value*>& qpl) {
               llvm::Value* column = b.CreateAdd(b.CreateMul(qpl[0], e.Int(kPanelWidth)), qpl[2]);
               llvm::Value* inside = b.CreateICmpSLT(column, e.Int(m));
               llvm::Value* clamped = b.CreateSelect(inside, column, e.Int(m - 1));
               llvm::Value* at = transposed ? b.CreateAdd(b.CreateMul(clamped, e.Int(k)), qpl[1])
                                            : b.CreateAdd(b.CreateMul(qpl[1], e.Int(m)), clamped);
               llvm::Value* weight = b.CreateLoad(e.f32(), e.Offset(b_matrix, at));
               llvm::Value* to = b.CreateAdd(
                   b.CreateMul(b.CreateAdd(b.CreateMul(qpl[0], e.Int(k)), qpl[1]),
                               e.Int(kPanelWidth)),
                   qpl[2]);
               b.CreateStore(b.CreateSelect(inside, weight, e.Float(0)), e.Offset(packed, to));
             });
}

// Below this many vectors of sums a tile keeps two sets, for even and odd
// p, added at the end: twice the independent FMA chains to hide their
// latency, and half as long a sequential sum to round.
constexpr int64_t kTwoSetsBelow = 16;

// One tile: rows [row, row + tile_rows) times the panels of `group`
// (tile_panels of them, a last group short of panels repeating the last
// one and rewriting equal values), its sums in `sums`.
void EmitPanelTile(Emitter& e, const PanelGemm& gemm, llvm::Value* row, llvm::Value* group,
                   int64_t tile_rows, int64_t tile_panels, const std::vector<llvm::Value*>& sums) {
  llvm::IRBuilder<>& b = e.builder();
  auto* vector = llvm::FixedVectorType::get(e.f32(), kLanes);
  llvm::Value* zero = llvm::Constant::getNullValue(vector);
  const int64_t vectors = tile_panels * 2;
  const int64_t per_set = tile_rows * vectors;
  const int64_t sets = static_cast<int64_t>(sums.size()) / per_set;
  // Per vector of the tile: its row of weights in the panel, its first
  // column and the mask of its columns below m.
  std::vector<llvm::Value*> weights, columns, masks;
  for (int64_t i = 0; i < tile_panels; ++i) {
    llvm::Value* panel =
        ThreadPanel(e, gemm, b.CreateAdd(b.CreateMul(group, e.Int(tile_panels)), e.Int(i)));
    for (int64_t v = 0; v < 2; ++v) {
      llvm::Value* first = b.CreateMul(panel, e.Int(gemm.k * kPanelWidth));
      weights.push_back(e.Offset(gemm.panels, b.CreateAdd(first, e.Int(v * kLanes))));
      columns.push_back(b.CreateAdd(b.CreateMul(panel, e.Int(kPanelWidth)), e.Int(v * kLanes)));
      masks.push_back(e.LaneMask(b.CreateSub(e.Int(gemm.m), columns.back())));
    }
  }
  for (int64_t r = 0; r < tile_rows; ++r) {
    for (int64_t v = 0; v < vectors; ++v) {
      llvm::Value* start = gemm.bias ? b.CreateMaskedLoad(vector, e.Offset(gemm.bias, columns[v]),
                                                          llvm::Align(4), masks[v], zero)
                                     : zero;
      b.CreateStore(start, sums[r * vectors + v]);
      if (sets == 2) b.CreateStore(zero, sums[per_set + r * vectors + v]);
    }
  }
  // Adds a[:, p] times row p of the panels into set `set` of the sums.
  auto accumulate = [&](llvm::Value* p, int64_t set) {
    std::vector<llvm::Value*> w;
    for (llvm::Value* panel_row : weights) {
      w.push_back(b.CreateAlignedLoad(
          vector, e.Offset(panel_row, b.CreateMul(p, e.Int(kPanelWidth))), llvm::Align(64)));
    }
    for (int64_t r = 0; r < tile_rows; ++r) {
      llvm::Value* at = b.CreateAdd(b.CreateMul(b.CreateAdd(row, e.Int(r)), e.Int(gemm.k)), p);
      llvm::Value* x = b.CreateVectorSplat(kLanes, b.CreateLoad(e.f32(), e.Offset(gemm.a, at)));
      for (int64_t v = 0; v < vectors; ++v) {
        llvm::Value* sum = sums[set * per_set + r * vectors + v];
        b.CreateStore(b.CreateIntrinsic(llvm::Intrinsic::fmuladd, {vector},
                                        {x, w[v], b.CreateLoad(vector, sum)}),
                      sum);
      }
    }
  };
  e.LoopNest({e.Int(gemm.k / sets)}, [&](const std::vector<llvm::Value*>& p) {
    for (int64_t set = 0; set < sets; ++set) {
      accumulate(b.CreateAdd(b.CreateMul(p[0], e.Int(sets)), e.Int(set)), set);
    }
  });
  if (gemm.k % sets != 0) accumulate(e.Int(gemm.k - 1), 0);
  for (int64_t r = 0; r < tile_rows; ++r) {
    llvm::Value* out = e.Offset(gemm.c, b.CreateMul(b.CreateAdd(row, e.Int(r)), e.Int(gemm.m)));
    for (int64_t v = 0; v < vectors; ++v) {
      llvm::Value* sum = b.CreateLoad(vector, sums[r * vectors + v]);
      if (sets == 2) sum = b.CreateFAdd(sum, b.CreateLoad(vector, sums[per_set + r * vectors + v]));
      b.CreateMaskedStore(sum, e.Offset(out, columns[v]), llvm::Align(4), masks[v]);
    }
  }
}

// Tiles per block of rows: over many rows (a hoisted projection's T·N) a
// block of a (64 rows, 64 KB at K = 256) stays in L2 while every panel
// passes it, each panel in L1 while the block's tiles use it.
constexpr int64_t kBlockTiles = 8;

// `tiles` tiles of `tile_rows` rows from `first_row` on, times this thread's
// panels `tile_panels` at a time.
void EmitPanelTiles(Emitter& e, const PanelGemm& gemm, llvm::Value* first_row, llvm::Value* tiles,
                    int64_t tile_rows, int64_t tile_panels) {
  llvm::IRBuilder<>& b = e.builder();
  auto* vector = llvm::FixedVectorType::get(e.f32(), kLanes);
  const int64_t per_set = tile_rows * tile_panels * 2;
  std::vector<llvm::Value*> sums;
  for (int64_t i = 0; i < (per_set < kTwoSetsBelow ? 2 : 1) * per_set; ++i) {
    sums.push_back(e.LocalVector(vector));
  }
  llvm::Value* groups =
      b.CreateUDiv(b.CreateAdd(gemm.count, e.Int(tile_panels - 1)), e.Int(tile_panels));
  llvm::Value* blocks =
      b.CreateUDiv(b.CreateAdd(tiles, e.Int(kBlockTiles - 1)), e.Int(kBlockTiles));
  e.LoopNest({blocks}, [&](const std::vector<llvm::Value*>& block) {
    llvm::Value* first_tile = b.CreateMul(block[0], e.Int(kBlockTiles));
    llvm::Value* block_tiles = b.CreateBinaryIntrinsic(
        llvm::Intrinsic::umin, b.CreateSub(tiles, first_tile), e.Int(kBlockTiles));
    e.LoopNest({groups, block_tiles}, [&](const std::vector<llvm::Value*>& loop) {
      llvm::Value* tile = b.CreateAdd(first_tile, loop[1]);
      llvm::Value* row = b.CreateAdd(first_row, b.CreateMul(tile, e.Int(tile_rows)));
      EmitPanelTile(e, gemm, row, loop[0], tile_rows, tile_panels, sums);
    });
  });
}

}  // namespace

bool HasPanelWeights(const Emitter& e, const ir::Value* weights) {
  const ir::TensorType& type = weights->type();
  return e.IsParamOnly(weights) && type.rank() == 2 && type.dim(0).is_static() &&
         type.dim(1).is_static() && type.dim(0).size() > 0 && type.dim(1).size() > 0;
}

void EmitPanelGemm(Emitter& e, const ir::Value* weights, bool transpose_b, llvm::Value* a,
                   llvm::Value* c, llvm::Value* rows, llvm::Value* bias, int64_t gate_width) {
  const ir::TensorType& type = weights->type();
  const int64_t k = type.dim(transpose_b ? 1 : 0).size();
  const int64_t m = type.dim(transpose_b ? 0 : 1).size();
  const int64_t panels = (m + kPanelWidth - 1) / kPanelWidth;
  llvm::Value* packed = e.DerivedBuffer(
      absl::StrCat("panels of ", weights->name(), transpose_b ? " transposed" : ""), weights,
      panels * k * kPanelWidth, [&](llvm::Value* into) {
        EmitPackPanels(e, e.Pointer(weights), transpose_b, k, m, into);
      });
  llvm::IRBuilder<>& b = e.builder();
  const int64_t gates = gate_width < m ? m / gate_width : 1;
  const int64_t gate_panels = panels / gates;
  auto [first, end] = e.Share(e.Int(gate_panels));
  llvm::Value* share = b.CreateSub(end, first);
  const PanelGemm gemm{a, packed, bias, c, k, m,
                       gate_panels, first, share, b.CreateMul(share, e.Int(gates))};
  // Rows in tiles of 8, then at most one tile each of 4, 2 and 1, the
  // smaller ones over more panels so that every tile has 8 or more sums
  // to hide the FMA latency.
  llvm::Value* eights = b.CreateUDiv(rows, e.Int(8));
  llvm::Value* row = b.CreateMul(eights, e.Int(8));
  EmitPanelTiles(e, gemm, e.Int(0), eights, 8, 1);
  for (auto [tile_rows, tile_panels] : {std::pair<int64_t, int64_t>{4, 1}, {2, 2}, {1, 4}}) {
    llvm::Value* tiles = b.CreateUDiv(b.CreateSub(rows, row), e.Int(tile_rows));
    EmitPanelTiles(e, gemm, row, tiles, tile_rows, tile_panels);
    row = b.CreateAdd(row, b.CreateMul(tiles, e.Int(tile_rows)));
  }
}

}  // namespace rnnc::llvm_backend
