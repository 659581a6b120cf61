// exp, tanh and sigmoid as straight-line f32 arithmetic on scalars or
// vectors (libm's expf would keep loops scalar). exp's polynomial is
// Cephes's expf, tanh's rational function Eigen's; each stays within about
// two ulp over the whole range (MathFunctionsWithinFourUlpOfDouble).
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

// tanh(x) ≈ x·P(x²)/Q(x²), the 13/6-degree rational interpolant of Eigen's
// generic_fast_tanh_float (its coefficients): one division and nine FMAs.
// x + x³·P(x²) near 0 and 1 - 2/(e^{2|x|} + 1) elsewhere cost both
// branches, an exp and a division; in a GRU at H = 128 tanh then took 7%
// of the time. The quotient stays within 2.1·2^-23 of tanh, relative. x is
// clamped to ±7.9053, where the quotient reaches 1 without FMA too and
// tanh rounds to 1 within three ulp; below |x| = 0.0004, tanh(x) is x in
// floats.
llvm::Value* EmitTanh(llvm::IRBuilder<>& b, llvm::Value* x) {
  constexpr double kClamp = 7.90531110763549805;
  llvm::Value* clamped =
      b.CreateSelect(b.CreateFCmpOGT(x, Constant(x, kClamp)), Constant(x, kClamp), x);
  clamped = b.CreateSelect(b.CreateFCmpOLT(clamped, Constant(x, -kClamp)), Constant(x, -kClamp),
                           clamped);
  llvm::Value* z = b.CreateFMul(clamped, clamped);
  llvm::Value* p = Polynomial(b, z,
                              {4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05,
                               5.12229709037114e-08, -8.60467152213735e-11, 2.00018790482477e-13,
                               -2.76076847742355e-16});
  llvm::Value* q = Polynomial(b, z,
                              {4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04,
                               1.19825839466702e-06});
  llvm::Value* quotient = b.CreateFDiv(b.CreateFMul(clamped, p), q);
  llvm::Value* magnitude = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
  return b.CreateSelect(b.CreateFCmpOLT(magnitude, Constant(x, 0.0004)), x, quotient);
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
    math->removeFnAttr(llvm::Attribute::NoInline);
    math->addFnAttr(llvm::Attribute::AlwaysInline);
    llvm::IRBuilder<>& b = e.builder();
    llvm::Value* argument = math->getArg(0);
    b.CreateRet(kind == ir::OpKind::Exp    ? EmitExp(b, argument)
                : kind == ir::OpKind::Tanh ? EmitTanh(b, argument)
                                           : EmitSigmoid(b, argument));
  });
  return e.builder().CreateCall(function, {x});
}

}  // namespace rnnc::llvm_backend
