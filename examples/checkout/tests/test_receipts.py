from service import receipts
from service.cart import Cart


def test_render_lists_lines_and_total():
    cart = Cart()
    cart.add("book", 1999, 2)
    cart.add("pen", 250)
    assert receipts.render("A-17", cart) == "Order A-17\n2 x book  39.98\n1 x pen  2.50\nTotal 42.48\n"


def test_print_receipt_hands_the_file_to_the_printer(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(receipts.subprocess, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    receipts.print_receipt(tmp_path / "receipt.txt", "front")
    ((args, kwargs),) = calls
    command = args[0] if isinstance(args[0], str) else " ".join(args[0])
    assert command.startswith("lpr -P front ") and command.endswith(str(tmp_path / "receipt.txt"))
    assert kwargs["check"] is True
