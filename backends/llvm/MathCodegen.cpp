// exp, tanh and sigmoid as straight-line f32 arithmetic on scalars or
// vectors (libm's expf would keep loops scalar). The polynomials are
// Cephes's (expf, tanhf), good to about two ulp over the whole range.
#include <utility>

#include "backends/llvm/Codegen.h"

namespace rnnc::llvm_backend {

namespace {

// `v` as a constant of `like`'s type (splat for vectors).
llvm::Value* Constant(llvm::Value* like, double v) {
  return llvm::ConstantFP::get(like->getType(), v);
}

// c[0] + x·(c[1] + x·(c[2] + ...)), by Horner's rule.
llvm::Value* Polynomial(llvm::IRBuilder<>& b, llvm::Value* x, std::initializer_list<double> c) {
  const double* coefficients = c.begin();
  llvm::Value* sum = Constant(x, coefficients[c.size() - 1]);
  for (size_t k = c.size() - 1; k-- > 0;) {
    sum = b.CreateFAdd(b.CreateFMul(sum, x), Constant(x, coefficients[k]));
  }
  return sum;
}

// 2^n for integral n (i32 lanes) in [-126, 127], by building the float's
// exponent bits; `like` gives the float type.
llvm::Value* PowerOfTwo(llvm::IRBuilder<>& b, llvm::Value* n, llvm::Value* like) {
  llvm::Value* bits = b.CreateShl(b.CreateAdd(n, llvm::ConstantInt::get(n->getType(), 127)), 23);
  return b.CreateBitCast(bits, like->getType());
}

// exp(x) = 2^n · exp(r), n = round(x / ln 2), r = x - n·ln 2 with ln 2 split
// in two so that r is exact; exp(r) ≈ 1 + r + r²·P(r) on |r| ≤ ln(2)/2.
// Returns exp(r) and n (as i32 lanes).
std::pair<llvm::Value*, llvm::Value*> ExpParts(llvm::IRBuilder<>& b, llvm::Value* x) {
  llvm::Value* n = b.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven,
                                          b.CreateFMul(x, Constant(x, 1.44269504088896341)));
  llvm::Value* r = b.CreateFSub(x, b.CreateFMul(n, Constant(x, 0.693359375)));
  r = b.CreateFSub(r, b.CreateFMul(n, Constant(x, -2.12194440e-4)));
  llvm::Value* p = Polynomial(b, r,
                              {5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2,
                               8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4});
  llvm::Value* y = b.CreateFAdd(b.CreateFAdd(b.CreateFMul(b.CreateFMul(r, r), p), r),
                                Constant(x, 1.0));
  return {y, b.CreateFPToSI(n, x->getType()->getWithNewType(b.getInt32Ty()))};
}

// exp(x) for x in [-87, 87], where 2^n is a normal float: one scaling, no
// range checks.
llvm::Value* EmitExpInRange(llvm::IRBuilder<>& b, llvm::Value* x) {
  auto [y, exponent] = ExpParts(b, x);
  return b.CreateFMul(y, PowerOfTwo(b, exponent, x));
}

}  // namespace

// exp over the whole range (ExpParts): 2^n is applied as two factors so
// that results down to the subnormals (x ≥ -103.9) stay accurate; above
// ln(FLT_MAX) the result is +inf.
llvm::Value* EmitExp(llvm::IRBuilder<>& b, llvm::Value* x) {
  constexpr double kMaxInput = 88.72283905206835;  // ln(FLT_MAX)
  constexpr double kMinInput = -103.97208;         // ln of the smallest subnormal
  llvm::Value* overflows = b.CreateFCmpOGT(x, Constant(x, kMaxInput));
  llvm::Value* clamped = b.CreateSelect(b.CreateFCmpOLT(x, Constant(x, kMinInput)),
                                        Constant(x, kMinInput), x);
  clamped = b.CreateSelect(overflows, Constant(x, kMaxInput), clamped);
  auto [y, exponent] = ExpParts(b, clamped);
  llvm::Value* half = b.CreateAShr(exponent, 1);
  y = b.CreateFMul(b.CreateFMul(y, PowerOfTwo(b, half, x)),
                   PowerOfTwo(b, b.CreateSub(exponent, half), x));
  return b.CreateSelect(overflows, llvm::ConstantFP::getInfinity(x->getType()), y);
}

// tanh(x) = x + x³·P(x²) for |x| < 0.625, where 1 - 2/(e^{2|x|} + 1) would
// lose relative accuracy to cancellation; that formula, with x's sign, above,
// |x| clamped at 9, where tanh rounds to 1 already.
llvm::Value* EmitTanh(llvm::IRBuilder<>& b, llvm::Value* x) {
  llvm::Value* z = b.CreateFMul(x, x);
  llvm::Value* p = Polynomial(b, z,
                              {-3.33332819422e-1, 1.33314422036e-1, -5.37397155531e-2,
                               2.06390887954e-2, -5.70498872745e-3});
  llvm::Value* small = b.CreateFAdd(b.CreateFMul(b.CreateFMul(p, z), x), x);
  llvm::Value* magnitude = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
  llvm::Value* clamped = b.CreateSelect(b.CreateFCmpOGT(magnitude, Constant(x, 9.0)),
                                        Constant(x, 9.0), magnitude);
  llvm::Value* e = EmitExpInRange(b, b.CreateFMul(clamped, Constant(x, 2.0)));
  llvm::Value* large = b.CreateFSub(
      Constant(x, 1.0), b.CreateFDiv(Constant(x, 2.0), b.CreateFAdd(e, Constant(x, 1.0))));
  large = b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, large, x);
  return b.CreateSelect(b.CreateFCmpOLT(magnitude, Constant(x, 0.625)), small, large);
}

// σ(x) = 1 / (1 + e^{-x}): e^{-x} is accurate relative to itself, and the sum
// has no cancellation, so σ is accurate everywhere; -x is clamped to
// [-87, 87], beyond which σ is 1 in floats, or below 2e-38.
llvm::Value* EmitSigmoid(llvm::IRBuilder<>& b, llvm::Value* x) {
  llvm::Value* negated = b.CreateFNeg(x);
  llvm::Value* low = b.CreateSelect(b.CreateFCmpOLT(negated, Constant(x, -87.0)),
                                    Constant(x, -87.0), negated);
  llvm::Value* e = EmitExpInRange(
      b, b.CreateSelect(b.CreateFCmpOGT(low, Constant(x, 87.0)), Constant(x, 87.0), low));
  return b.CreateFDiv(Constant(x, 1.0), b.CreateFAdd(Constant(x, 1.0), e));
}

llvm::Value* EmitMathCall(Emitter& e, ir::OpKind kind, llvm::Value* x) {
  const char* name = kind == ir::OpKind::Exp       ? "rnnc.exp"
                     : kind == ir::OpKind::Tanh    ? "rnnc.tanh"
                                                   : "rnnc.sigmoid";
  auto* type = llvm::FunctionType::get(x->getType(), {x->getType()}, false);
  llvm::Function* function = e.HelperFunction(name, type, [&](llvm::Function* math) {
    math->setDoesNotAccessMemory();
    llvm::IRBuilder<>& b = e.builder();
    llvm::Value* argument = math->getArg(0);
    b.CreateRet(kind == ir::OpKind::Exp    ? EmitExp(b, argument)
                : kind == ir::OpKind::Tanh ? EmitTanh(b, argument)
                                           : EmitSigmoid(b, argument));
  });
  return e.builder().CreateCall(function, {x});
}

}  // namespace rnnc::llvm_backend
