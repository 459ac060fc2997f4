// Winograd F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks"): a 3x3 conv
// computed per 2x2 output tile from a 4x4 input tile as Y = A^T [(G g G^T) . (B^T d B)] A, 16 products
// per tile where the direct sum takes 36. Every coefficient of B^T and A^T is 0 or +-1, so those
// transforms only add; G's halves are exact in binary. docs/determinism.md gives the operation order.
#pragma once

namespace verinfer {

struct WinogradF2 {
  static constexpr int kTile = 2;   // outputs per tile side
  static constexpr int kAlpha = 4;  // inputs per tile side: kTile + 3 - 1
  static constexpr float kBt[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
  static constexpr float kG[4][3] = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
  static constexpr float kAt[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
};

}  // namespace verinfer
