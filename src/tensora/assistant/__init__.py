"""``tensora mcp``: tensora as an MCP server for AI assistants (needs the ``mcp`` extra).

Named ``assistant`` so that it never shadows the ``mcp`` SDK. ``server.py`` registers the tools and the rule
resources on the SDK's ``MCPServer``; ``calc_tools.py`` turns each ``tensora calc`` subcommand into a tool.
"""
