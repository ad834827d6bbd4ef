-- wrk script: requests the paths listed (one a line) in the file named by $TILE_LIST, in turn
-- from a different start per thread, and prints the WRK_JSON summary of wrk-report.lua.
-- Used by bench/tiles.sh:  TILE_LIST=tiles-z8.txt wrk -s bench/wrk-tiles.lua ... <base url>
dofile("bench/wrk-report.lua")

local paths = {}
local next_index = 1

init = function(args)
  for line in io.lines(os.getenv("TILE_LIST")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  next_index = math.random(#paths)
  -- ACCEPT_ENCODING="gzip, deflate, br" asks as a browser or map client does.
  local encoding = os.getenv("ACCEPT_ENCODING")
  if encoding and #encoding > 0 then wrk.headers["Accept-Encoding"] = encoding end
end

request = function()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end
