"""The network's rules that change data. One module per part:
``leaders`` (naming and ending survivor leaders)."""
