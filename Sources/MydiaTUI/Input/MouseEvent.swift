/// A mouse event in screen cells (row 0 is the top line), as the terminal reported it.
public enum MouseEvent: Hashable, Sendable {
    /// The left button clicked at a cell.
    case click(row: Int, column: Int)
    /// The wheel turned one step up at a cell.
    case wheelUp(row: Int, column: Int)
    /// The wheel turned one step down at a cell.
    case wheelDown(row: Int, column: Int)
}
