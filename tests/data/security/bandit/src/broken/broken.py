NOTE = """this string is never closed
value = eval(NOTE)
