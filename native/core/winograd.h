// Winograd F(m x m, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks"): a 3x3 conv
// computed per m x m output tile from an alpha x alpha input tile (alpha = m + 2) as
// Y = A^T [(G g G^T) . (B^T d B)] A, alpha^2 products per tile where the direct sum takes 9 m^2.
// docs/determinism.md gives the operation order.
#pragma once

namespace verinfer {

// F(2x2, 3x3): 16 products per 4 outputs. Every coefficient of B^T and A^T is 0 or +-1, so those
// transforms only add; G's halves are exact in binary.
struct WinogradF2 {
  static constexpr int kTile = 2;   // outputs per tile side
  static constexpr int kAlpha = 4;  // inputs per tile side: kTile + 3 - 1
  static constexpr float kBt[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
  static constexpr float kG[4][3] = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
  static constexpr float kAt[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
};

// F(4x4, 3x3), interpolating at 0, +-1, +-2 and infinity: 36 products per 16 outputs, 1.78 times fewer
// than F(2x2, 3x3), for larger transforms whose products by 5 and by G's sixths, twelfths and
// twenty-fourths round (the other coefficients are powers of two).
struct WinogradF4 {
  static constexpr int kTile = 4;
  static constexpr int kAlpha = 6;
  static constexpr float kBt[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                      {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
  static constexpr float kG[6][3] = {{1.0f / 4, 0, 0},
                                     {-1.0f / 6, -1.0f / 6, -1.0f / 6},
                                     {-1.0f / 6, 1.0f / 6, -1.0f / 6},
                                     {1.0f / 24, 1.0f / 12, 1.0f / 6},
                                     {1.0f / 24, -1.0f / 12, 1.0f / 6},
                                     {0, 0, 1}};
  static constexpr float kAt[4][6] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
};

}  // namespace verinfer
