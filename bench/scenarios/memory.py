"""stub"""

async def run(ctx):
    return []
