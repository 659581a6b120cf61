// Matmuls against weights that depend on the params alone, on packed panels.
//
// rnnc_prepare packs the weights b of c = a · b (b (K, M)) or c = a · bᵀ
// (b (M, K)) once into ⌈M/32⌉ panels of K rows of 32 floats: row p of panel
// q holds the weights of columns 32q..32q+31 against a[:, p], zeros past M.
// A tile of R rows of a times P panels keeps R·P·2 vectors of sums in
// registers (four sets of them, one per residue of p, in the 1-row tile),
// and for each p loads the P·2 weight vectors of row p (the panels
// stream contiguously), broadcasts R floats of a and does R·P·2 FMAs. Where
// the vector registers cannot hold 8 rows of a panel's sums (AVX2), the
// main tile covers half a panel. No horizontal sums, no masks but on the
// stores, and the bias is where the sums start. In a scan's odd steps the
// panels go last to first (ScanCodegen.cpp). It is the outer-product
// microkernel of BLIS and of oneDNN's brgemm. On a Zen 4, a C++ probe of
// the same kernel ran 8×1 tiles at the FMA peak and a matrix-vector product
// at the L2 read bandwidth; in a scan, the generated code ran a
// 16×256×1024 product per step at about 90% of the peak.
#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>

#include "absl/strings/str_cat.h"
#include "backends/llvm/Codegen.h"

namespace rnnc::llvm_backend {

namespace {

constexpr int64_t kPanelWidth = kColumnGroup;

// The arguments of rnnc.panel_gemm, the module's function that runs a
// panel matmul on one thread.
struct PanelGemm {
  llvm::Value* a;       // (rows, k)
  llvm::Value* panels;  // ⌈m/32⌉ panels of (k, 32)
  llvm::Value* bias;    // m floats, or null
  llvm::Value* c;       // (rows, m)
  llvm::Value* rows;
  llvm::Value* k;
  llvm::Value* m;
  // This thread's panels: `share` of each gate's `gate_panels`, from
  // `first` on in each, `count` in all.
  llvm::Value* gate_panels;
  llvm::Value* first;
  llvm::Value* share;
  llvm::Value* count;
  // Nonzero: the panels go last to first.
  llvm::Value* backward;
};

// The panel of this thread's `index`-th (clamped to its last).
llvm::Value* ThreadPanel(Emitter& e, const PanelGemm& gemm, llvm::Value* index) {
  llvm::IRBuilder<>& b = e.builder();
  llvm::Value* last = b.CreateSub(gemm.count, e.Int(1));
  index = b.CreateSelect(b.CreateICmpSLT(index, gemm.count), index, last);
  llvm::Value* share = b.CreateSelect(b.CreateICmpEQ(gemm.share, e.Int(0)), e.Int(1), gemm.share);
  llvm::Value* gate = b.CreateUDiv(index, share);
  return b.CreateAdd(b.CreateMul(gate, gemm.gate_panels),
                     b.CreateAdd(gemm.first, b.CreateURem(index, share)));
}

// The module's function that packs b (k, m), or bᵀ (m, k) when
// `transposed` is nonzero, into panels, as the header says:
//
//   void pack(float* b, float* packed, i64 k, i64 m, i64 transposed)
llvm::Function* PackPanelsFunction(Emitter& e) {
  llvm::IRBuilder<>& b = e.builder();
  llvm::Type* ptr = b.getPtrTy();
  auto* type = llvm::FunctionType::get(b.getVoidTy(), {ptr, ptr, e.i64(), e.i64(), e.i64()}, false);
  return e.HelperFunction("rnnc.pack_panels", type, [&](llvm::Function* function) {
    llvm::Value* source = function->getArg(0);
    llvm::Value* packed = function->getArg(1);
    llvm::Value* k = function->getArg(2);
    llvm::Value* m = function->getArg(3);
    llvm::Value* transposed = b.CreateICmpNE(function->getArg(4), e.Int(0));
    llvm::Value* panels = b.CreateUDiv(b.CreateAdd(m, e.Int(kPanelWidth - 1)), e.Int(kPanelWidth));
    e.LoopNest({panels, k, e.Int(kPanelWidth)}, [&](const std::vector<llvm::Value*>& qpl) {
      llvm::Value* column = b.CreateAdd(b.CreateMul(qpl[0], e.Int(kPanelWidth)), qpl[2]);
      llvm::Value* inside = b.CreateICmpSLT(column, m);
      llvm::Value* clamped = b.CreateSelect(inside, column, b.CreateSub(m, e.Int(1)));
      llvm::Value* at = b.CreateSelect(transposed, b.CreateAdd(b.CreateMul(clamped, k), qpl[1]),
                                       b.CreateAdd(b.CreateMul(qpl[1], m), clamped));
      llvm::Value* weight = b.CreateLoad(e.f32(), e.Offset(source, at));
      llvm::Value* to = b.CreateAdd(
          b.CreateMul(b.CreateAdd(b.CreateMul(qpl[0], k), qpl[1]), e.Int(kPanelWidth)), qpl[2]);
      b.CreateStore(b.CreateSelect(inside, weight, e.Float(0)), e.Offset(packed, to));
    });
    b.CreateRetVoid();
  });
}

// A tile shape of rnnc.panel_gemm: `rows` rows of a times `panels`
// panels, of which it covers `vectors` kLanes vectors each (2: the whole
// panel; 1: half of it, the tile then running once per half), with
// `sets` sets of sums, set j taking the p ≡ j (mod sets), added at the end:
// more independent FMA chains to hide their latency, and shorter
// sequential sums to round.
struct PanelTile {
  int64_t rows;
  int64_t panels;
  int64_t vectors;
  int64_t sets;
};

// Whether a tile's sums, the weights of a row p it reuses across rows, and
// a broadcast fit in the target's vector registers. (A one-row tile uses
// each weight once, as an FMA's memory operand.)
bool FitsInRegisters(const TargetShape& target, const PanelTile& tile) {
  const int64_t per_vector = target.RegistersPerVector();
  const int64_t weights = tile.rows > 1 ? tile.panels * tile.vectors * per_vector : 0;
  const int64_t sums = tile.sets * tile.rows * tile.panels * tile.vectors * per_vector;
  return sums + weights + 1 <= target.vector_registers;
}

// A target's tiles: `main` for matmuls of few rows, `wide` (where it fits)
// for more than kMostMainTileRows rows, and the smaller ones for the rows
// left after either's whole tiles, fewest rows last.
struct PanelTiles {
  PanelTile main;
  std::optional<PanelTile> wide;
  std::vector<PanelTile> rest;
};

// Up to this many rows a matmul goes in main tiles, above it in wide ones.
// At 16 and 32 rows (a thread's share of N = 32, or N = 16 and 32 on one
// thread) 8×1 tiles cover the rows exactly, where 6×2 ones leave 4 or 2
// rows to a narrower tile: generated, on Zen 5 (medians of 10–30 runs
// interleaved at random, bench/library_pair_bench, two runs each), 8×1
// took 0.971–0.994 of the time on two threads at 50×32×128 (RNN, LSTM,
// GRU, GRU reset-before), 0.963–1.006 on one thread, and 0.943–1.00 at
// 100×16×256 on one thread; at 64 rows 0.99–1.01. (The Xeon's C copy
// below had 6×2 at 0.97 of 8×1's time at 16 rows.)
constexpr int64_t kMostMainTileRows = 32;

// The tiles for the target's register file: a tile that spills a sum runs
// at a fraction of the peak. The main one is 8 rows by a panel when that
// fits (AVX-512: 16 zmm of sums), else as many rows by half a panel as fit
// (AVX2: 6 rows, 12 ymm, BLIS's Haswell kernel).
// The wide one is 6 rows by two panels (AVX-512: 24 zmm of sums, 4 of
// weights): per row p it loads 10 vectors or broadcasts for 24 FMAs, where
// 8×1 loads 10 for 16, as oneDNN's brgemm blocks of 6 rows by 4 zmm do. A C
// copy of both on an Emerald Rapids core, run alternately (medians of 30
// paired ratios): (rows, K, M) = (960, 512, 2048), a slice of a hoisted
// projection, 0.90 of 8×1's time; (64, 512, 2048) 0.96; (16, 128, 512)
// 0.97; but (8, 256, 512) 1.18. Generated, a 6400×512×2048 projection took
// 0.90–0.92 of 8×1's time (60 pairs).
// The rows left after the whole tiles take at most one tile each of 4, 2
// and 1 rows, over more panels so that each has 8 registers of sums or
// more: 4×1, 2×2 and 1×4 with AVX-512; 4×½, 2×1 and 1×2 with AVX2. All
// tiles of more than one row sum in one set, so a row's result does not
// depend on the tile it lands in: a batch split (BatchSplitCodegen.cpp)
// tiles each thread's rows from another first row than one thread does,
// and both must give the same bits. Only a batch's last row, when the
// batch is odd, lands in a 1-row tile, whatever the split.
// Where four sets fit one panel's sums (AVX-512), the 1-row tile is 1×1
// with four sets instead: a matrix-vector product, which streams its
// weights from L2 or L3, then reads one panel front to back, one stream,
// not four at once 64 KB apart (at K = 512). In a C++ copy of both on two
// threads, (K, M) = (512, 2048) took 26–28 µs against 31–37 and
// (512, 1024) 12–14 against 18–21; an LSTM 100×1×256 on two threads went
// from 0.57 to 0.49 ms (medians of 10, run alternately).
PanelTiles TilesFor(const TargetShape& target) {
  const int64_t per_vector = target.RegistersPerVector();
  PanelTiles tiles{{8, 1, 2, 1}, PanelTile{6, 2, 2, 1}, {}};
  if (!FitsInRegisters(target, tiles.main)) {
    tiles.main = {1, 1, 1, 1};
    while (tiles.main.rows < 8 && FitsInRegisters(target, {tiles.main.rows + 1, 1, 1, 1})) {
      ++tiles.main.rows;
    }
  }
  if (!FitsInRegisters(target, *tiles.wide)) tiles.wide.reset();
  for (int64_t rows : {4, 2, 1}) {
    if (rows >= tiles.main.rows) continue;
    const PanelTile one_panel{1, 1, 2, 4};
    if (rows == 1 && FitsInRegisters(target, one_panel)) {
      tiles.rest.push_back(one_panel);
      continue;
    }
    PanelTile tile{rows, std::max<int64_t>(1, 8 / (rows * 2 * per_vector)), 2, 1};
    if (!FitsInRegisters(target, tile)) tile = {rows, 1, 1, 1};
    tiles.rest.push_back(tile);
  }
  return tiles;
}

// The module's function for one tile,
//
//   void tile(float* a, float* panels, float* bias, float* c, i64 k, i64 m,
//             i64 row, i64 half, i64 panel...)
//
// c[row + r, columns of each panel] = bias (unless null) + Σ_p a[row + r, p]
// · panel[p], the columns of half `half` of each panel when the tile covers
// half of one. One function per tile shape serves every matmul of the
// module, so their code is compiled once.
llvm::Function* PanelTileFunction(Emitter& e, const PanelTile& shape) {
  const int64_t tile_rows = shape.rows;
  const int64_t tile_panels = shape.panels;
  const int64_t sets = shape.sets;
  const int64_t vectors = tile_panels * shape.vectors;
  llvm::IRBuilder<>& b = e.builder();
  llvm::Type* ptr = b.getPtrTy();
  std::vector<llvm::Type*> parameters{ptr, ptr, ptr, ptr, e.i64(), e.i64(), e.i64(), e.i64()};
  parameters.insert(parameters.end(), static_cast<size_t>(tile_panels), e.i64());
  auto* type = llvm::FunctionType::get(b.getVoidTy(), parameters, false);
  const std::string name = absl::StrCat("rnnc.panel_tile.", tile_rows, "x", tile_panels,
                                        shape.vectors == 1 ? ".half" : "");
  return e.HelperFunction(name, type, [&](llvm::Function* function) {
    llvm::Value* a = function->getArg(0);
    llvm::Value* packed = function->getArg(1);
    llvm::Value* bias = function->getArg(2);
    llvm::Value* c = function->getArg(3);
    llvm::Value* k = function->getArg(4);
    llvm::Value* m = function->getArg(5);
    llvm::Value* row = function->getArg(6);
    auto* vector = llvm::FixedVectorType::get(e.f32(), kLanes);
    llvm::Value* zero = llvm::Constant::getNullValue(vector);
    // The first vector of each panel that the tile covers.
    llvm::Value* first_vector = shape.vectors == 1 ? function->getArg(7) : e.Int(0);
    const int64_t per_set = tile_rows * vectors;
    std::vector<llvm::Value*> sums;
    for (int64_t i = 0; i < sets * per_set; ++i) sums.push_back(e.LocalVector(vector));
    // Per vector of the tile: its row of weights in the panel, its first
    // column and the mask of its columns below m.
    std::vector<llvm::Value*> weights, columns, masks;
    for (int64_t i = 0; i < tile_panels; ++i) {
      llvm::Value* panel = function->getArg(8 + static_cast<unsigned>(i));
      for (int64_t v = 0; v < shape.vectors; ++v) {
        llvm::Value* lane = b.CreateMul(b.CreateAdd(first_vector, e.Int(v)), e.Int(kLanes));
        llvm::Value* first = b.CreateMul(panel, b.CreateMul(k, e.Int(kPanelWidth)));
        weights.push_back(e.Offset(packed, b.CreateAdd(first, lane)));
        columns.push_back(b.CreateAdd(b.CreateMul(panel, e.Int(kPanelWidth)), lane));
        masks.push_back(e.LaneMask(m, columns.back()));
      }
    }
    // Emits emit(mask), mask(v) being vector v's: the computed masks, or
    // when all the tile's columns are below m, as in all but a matmul's last
    // panel, all-on constants, which make the loads and stores plain ones
    // (AVX2's masked stores are slow).
    using PerVector = std::function<llvm::Value*(int64_t)>;
    llvm::Value* inside = b.getTrue();
    for (llvm::Value* column : columns) {
      inside = b.CreateAnd(inside, b.CreateICmpSLE(b.CreateAdd(column, e.Int(kLanes)), m));
    }
    auto with_masks = [&](const std::function<void(const PerVector&)>& emit) {
      llvm::Value* all_on =
          llvm::ConstantInt::getTrue(llvm::VectorType::get(b.getInt1Ty(), vector));
      e.If(inside, [&] { emit([&](int64_t) { return all_on; }); },
           [&] { emit([&](int64_t v) { return masks[v]; }); });
    };
    auto start_sums = [&](const PerVector& start) {
      for (int64_t v = 0; v < vectors; ++v) {
        llvm::Value* first = start(v);
        for (int64_t r = 0; r < tile_rows; ++r) {
          b.CreateStore(first, sums[r * vectors + v]);
          for (int64_t set = 1; set < sets; ++set) {
            b.CreateStore(zero, sums[set * per_set + r * vectors + v]);
          }
        }
      }
    };
    e.If(
        b.CreateICmpNE(bias, llvm::ConstantPointerNull::get(b.getPtrTy())),
        [&] {
          with_masks([&](const PerVector& mask) {
            start_sums([&](int64_t v) {
              return b.CreateMaskedLoad(vector, b.CreateGEP(e.f32(), bias, columns[v]),
                                        llvm::Align(4), mask(v), zero);
            });
          });
        },
        [&] { start_sums([&](int64_t) { return zero; }); });
    // Adds a[:, p] times row p of the panels into set `set` of the sums.
    auto accumulate = [&](llvm::Value* p, int64_t set) {
      std::vector<llvm::Value*> w;
      for (llvm::Value* panel_row : weights) {
        w.push_back(b.CreateAlignedLoad(
            vector, e.Offset(panel_row, b.CreateMul(p, e.Int(kPanelWidth))), llvm::Align(64)));
      }
      for (int64_t r = 0; r < tile_rows; ++r) {
        llvm::Value* at = b.CreateAdd(b.CreateMul(b.CreateAdd(row, e.Int(r)), k), p);
        llvm::Value* x = b.CreateVectorSplat(kLanes, b.CreateLoad(e.f32(), e.Offset(a, at)));
        for (int64_t v = 0; v < vectors; ++v) {
          llvm::Value* sum = sums[set * per_set + r * vectors + v];
          b.CreateStore(b.CreateIntrinsic(llvm::Intrinsic::fmuladd, {vector},
                                          {x, w[v], b.CreateLoad(vector, sum)}),
                        sum);
        }
      }
    };
    e.LoopNest({b.CreateUDiv(k, e.Int(sets))}, [&](const std::vector<llvm::Value*>& p) {
      for (int64_t set = 0; set < sets; ++set) {
        accumulate(b.CreateAdd(b.CreateMul(p[0], e.Int(sets)), e.Int(set)), set);
      }
    });
    if (sets > 1) {
      llvm::Value* whole = b.CreateMul(b.CreateUDiv(k, e.Int(sets)), e.Int(sets));
      e.LoopNest({b.CreateSub(k, whole)}, [&](const std::vector<llvm::Value*>& p) {
        accumulate(b.CreateAdd(whole, p[0]), 0);
      });
    }
    with_masks([&](const PerVector& mask) {
      for (int64_t r = 0; r < tile_rows; ++r) {
        llvm::Value* out = e.Offset(c, b.CreateMul(b.CreateAdd(row, e.Int(r)), m));
        for (int64_t v = 0; v < vectors; ++v) {
          std::vector<llvm::Value*> partial;
          for (int64_t set = 0; set < sets; ++set) {
            partial.push_back(b.CreateLoad(vector, sums[set * per_set + r * vectors + v]));
          }
          // Pairwise: (s0 + s1) + (s2 + s3).
          for (size_t width = 1; width < partial.size(); width *= 2) {
            for (size_t i = 0; i + width < partial.size(); i += 2 * width) {
              partial[i] = b.CreateFAdd(partial[i], partial[i + width]);
            }
          }
          llvm::Value* sum = partial[0];
          b.CreateMaskedStore(sum, e.Offset(out, columns[v]), llvm::Align(4), mask(v));
        }
      }
    });
    b.CreateRetVoid();
  });
}

// Main tiles per block of rows: over many rows (a hoisted projection's
// T·N) a block of a (48 rows, 96 KB at K = 512) stays in L2 while every
// panel passes it, each panel in L1 while the block's tiles use it.
constexpr int64_t kBlockTiles = 8;

// Up to this many floats of a, a panel matmul asks for all of a's lines
// before its first tile. Its a is then a step's h, which the threads wrote
// in parts before the step's barrier: the lines from the other core come
// over one at a time as the first tile reaches them, each a round trip
// between the cores, unless all are in flight at once. On two threads at
// batch 1, when a barrier between the cores took 250 ns (the host placed
// them far apart; 80 ns otherwise), an RNN 100×1×256 took 0.90 of the time
// and an LSTM and a GRU 0.97 (Zen 5, medians of 300 paired runs).
constexpr int64_t kPrefetchedFloats = 4096;

// The module's function that computes a panel matmul's share of one
// thread,
//
//   void gemm(float* a, float* panels, float* bias, float* c, i64 rows,
//             i64 k, i64 m, i64 gate_panels, i64 first, i64 share, i64 gates,
//             i64 backward)
//
// the thread's panels `share` of each gate's `gate_panels` from `first` on.
// The rows go in blocks of main tiles; the rows left after the last whole
// main tile take at most one of each smaller tile, in the last block's
// pass over the panels, so that the panels stream from L3 (an H = 512
// LSTM's 4 MB of recurrent weights) once per block and not once more per
// smaller tile. A group of panels is what every tile covers a whole number
// of times; a last group short of panels repeats the last one, rewriting
// equal values.
llvm::Function* PanelGemmFunction(Emitter& e) {
  llvm::IRBuilder<>& b = e.builder();
  llvm::Type* ptr = b.getPtrTy();
  std::vector<llvm::Type*> parameters{ptr, ptr, ptr, ptr};
  parameters.insert(parameters.end(), 8, e.i64());
  auto* type = llvm::FunctionType::get(b.getVoidTy(), parameters, false);
  return e.HelperFunction("rnnc.panel_gemm", type, [&](llvm::Function* function) {
    auto arg = [&](unsigned i) { return function->getArg(i); };
    const PanelGemm gemm{arg(0), arg(1), arg(2), arg(3), arg(4), arg(5),
                         arg(6), arg(7), arg(8), arg(9), b.CreateMul(arg(9), arg(10)),
                         arg(11)};
    llvm::Value* floats = b.CreateMul(gemm.rows, gemm.k);
    e.If(b.CreateICmpULE(floats, e.Int(kPrefetchedFloats)), [&] {
      llvm::Value* lines = b.CreateUDiv(b.CreateAdd(floats, e.Int(kLanes - 1)), e.Int(kLanes));
      e.LoopNest({lines}, [&](const std::vector<llvm::Value*>& line) {
        llvm::Value* at = e.Offset(gemm.a, b.CreateMul(line[0], e.Int(kLanes)));
        b.CreateIntrinsic(llvm::Intrinsic::prefetch, {b.getPtrTy()},
                          {at, b.getInt32(0), b.getInt32(3), b.getInt32(1)});
      });
    });
    const PanelTiles tiles = TilesFor(e.options().target);
    int64_t group_panels = tiles.main.panels;
    if (tiles.wide) group_panels = std::lcm(group_panels, tiles.wide->panels);
    for (const PanelTile& shape : tiles.rest) group_panels = std::lcm(group_panels, shape.panels);
    llvm::Value* groups =
        b.CreateUDiv(b.CreateAdd(gemm.count, e.Int(group_panels - 1)), e.Int(group_panels));
    // Calls `shape`'s tile at `row` over each of its panel sets in `group`.
    auto call_tile = [&](const PanelTile& shape, llvm::Value* row, llvm::Value* group) {
      llvm::Function* tile = PanelTileFunction(e, shape);
      llvm::Value* halves = e.Int(shape.vectors == 1 ? 2 : 1);
      e.LoopNest({e.Int(group_panels / shape.panels), halves},
                 [&](const std::vector<llvm::Value*>& loop) {
                   std::vector<llvm::Value*> arguments{gemm.a, gemm.panels, gemm.bias, gemm.c,
                                                       gemm.k, gemm.m,      row,       loop[1]};
                   llvm::Value* first = b.CreateAdd(b.CreateMul(group, e.Int(group_panels)),
                                                    b.CreateMul(loop[0], e.Int(shape.panels)));
                   for (int64_t i = 0; i < shape.panels; ++i) {
                     arguments.push_back(ThreadPanel(e, gemm, b.CreateAdd(first, e.Int(i))));
                   }
                   b.CreateCall(tile, arguments);
                 });
    };
    // All rows in `main` tiles and the smaller ones.
    auto emit_rows = [&](const PanelTile& main) {
      llvm::Value* whole = b.CreateUDiv(gemm.rows, e.Int(main.rows));
      llvm::Value* blocks = b.CreateBinaryIntrinsic(
          llvm::Intrinsic::umax, e.Int(1),
          b.CreateUDiv(b.CreateAdd(whole, e.Int(kBlockTiles - 1)), e.Int(kBlockTiles)));
      e.LoopNest({blocks}, [&](const std::vector<llvm::Value*>& block) {
        llvm::Value* first_tile = b.CreateUDiv(b.CreateMul(whole, block[0]), blocks);
        llvm::Value* end_tile =
            b.CreateUDiv(b.CreateMul(whole, b.CreateAdd(block[0], e.Int(1))), blocks);
        llvm::Value* last_block = b.CreateICmpEQ(block[0], b.CreateSub(blocks, e.Int(1)));
        e.LoopNest({groups}, [&](const std::vector<llvm::Value*>& loop) {
          llvm::Value* group =
              b.CreateSelect(b.CreateICmpNE(gemm.backward, e.Int(0)),
                             b.CreateSub(b.CreateSub(groups, e.Int(1)), loop[0]), loop[0]);
          e.LoopNest({b.CreateSub(end_tile, first_tile)}, [&](const std::vector<llvm::Value*>& t) {
            call_tile(main, b.CreateMul(b.CreateAdd(first_tile, t[0]), e.Int(main.rows)), group);
          });
          e.If(last_block, [&] {
            llvm::Value* row = b.CreateMul(whole, e.Int(main.rows));
            for (const PanelTile& shape : tiles.rest) {
              llvm::Value* next = b.CreateAdd(row, e.Int(shape.rows));
              llvm::Value* fits = b.CreateICmpSLE(next, gemm.rows);
              e.If(fits, [&] { call_tile(shape, row, group); });
              row = b.CreateSelect(fits, next, row);
            }
          });
        });
      });
    };
    if (tiles.wide) {
      e.If(b.CreateICmpSGT(gemm.rows, e.Int(kMostMainTileRows)), [&] { emit_rows(*tiles.wide); },
           [&] { emit_rows(tiles.main); });
    } else {
      emit_rows(tiles.main);
    }
    b.CreateRetVoid();
  });
}

}  // namespace

int64_t MainTileRows(const TargetShape& target) { return TilesFor(target).main.rows; }

bool HasPanelWeights(const Emitter& e, const ir::Value* weights) {
  const ir::TensorType& type = weights->type();
  return e.IsParamOnly(weights) && type.rank() == 2 && type.dim(0).is_static() &&
         type.dim(1).is_static() && type.dim(0).size() > 0 && type.dim(1).size() > 0;
}

void EmitPanelGemm(Emitter& e, const ir::Value* weights, bool transpose_b, llvm::Value* a,
                   llvm::Value* c, llvm::Value* rows, llvm::Value* bias, int64_t gate_width) {
  llvm::IRBuilder<>& b = e.builder();
  const ir::TensorType& type = weights->type();
  const int64_t k = type.dim(transpose_b ? 1 : 0).size();
  const int64_t m = type.dim(transpose_b ? 0 : 1).size();
  const int64_t panels = (m + kPanelWidth - 1) / kPanelWidth;
  llvm::Value* packed = e.DerivedBuffer(
      weights, transpose_b ? "panels of the transpose" : "panels", panels * k * kPanelWidth,
      [&](llvm::Value* into) {
        b.CreateCall(PackPanelsFunction(e),
                     {e.Pointer(weights), into, e.Int(k), e.Int(m), e.Int(transpose_b ? 1 : 0)});
      });
  const int64_t gates = gate_width < m ? m / gate_width : 1;
  const int64_t gate_panels = panels / gates;
  auto [first, end] = e.Share(e.Int(gate_panels));
  llvm::Value* null = llvm::ConstantPointerNull::get(b.getPtrTy());
  b.CreateCall(PanelGemmFunction(e), {a, packed, bias ? bias : null, c, rows, e.Int(k), e.Int(m),
                                      e.Int(gate_panels), first, b.CreateSub(end, first),
                                      e.Int(gates), e.PanelsBackward()});
}

}  // namespace rnnc::llvm_backend
