// WebPlayer — the page's script: draws a frame as SVG from the embedded data, plays, and answers "where from".

/// The JavaScript of the player page (no libraries, no network).
///
/// It reads the JSON in `<script id="frames">`, draws frame `i` as SVG (grids laid out on the frame's
/// layout table as the Cairo views do), shows its equation, running sum, notes and legend, and keeps
/// `#step=N` (1-based) in the URL. Provenance is derived from the frames alone: the frame that writes
/// a cell holds its equation and window; every term's operand cells say which outputs a cell feeds.
enum PlayerScript {
    static let js = #"""
    (function(){
    "use strict";
    var D=JSON.parse(document.getElementById("frames").textContent);
    var F=D.frames, ids=D.ids, N=F.length, cur=0, timer=null;
    var $=function(id){return document.getElementById(id);};
    var svgNS="http://www.w3.org/2000/svg";
    var M={window:1,current:2,source:4,written:8,pending:16,done:32,selected:64,contributor:128};
    function esc(s){return String(s).replace(/&/g,"&amp;").replace(/</g,"&lt;").replace(/>/g,"&gt;").replace(/"/g,"&quot;");}
    function key(r){return r[0]+","+r[1]+","+r[2];}

    // Texts and marks a frame shares with the previous frame's grid of the same id (T / M) are copied in.
    (function(){var lt={}, lm={};
      F.forEach(function(f){f.g.forEach(function(g){
        if(g.T)g.t=lt[g.id]; else lt[g.id]=g.t;
        if(g.M)g.m=lm[g.id]; else lm[g.id]=g.m||null;
      });});
    })();

    // Provenance index: which frame writes a cell (its last, complete equation), which frames read it.
    var writes={}, reads={};
    F.forEach(function(f,i){
      if(!f.wr||!f.e)return;
      var k=key(f.wr), prev=writes[k];
      if(prev===undefined||f.e.res!=null||F[prev].e.res==null)writes[k]=i;
    });
    Object.keys(writes).forEach(function(k){
      var i=writes[k];
      F[i].e.terms.forEach(function(t,ti){
        t.r.forEach(function(r,oi){
          var rk=key(r); (reads[rk]=reads[rk]||[]);
          if(reads[rk].indexOf(i)<0)reads[rk].push(i);
        });
      });
    });
    Object.keys(reads).forEach(function(k){reads[k].sort(function(a,b){return a-b;});});

    // Text measuring for the layout (the same font as the SVG text).
    var mctx=document.createElement("canvas").getContext("2d");
    function tw(s,px,bold){mctx.font=(bold?"bold ":"")+px+"px 'DejaVu Sans',system-ui,sans-serif";return mctx.measureText(s).width;}

    function cellStyle(role,m){
      var fill={n:"cell",p:"padding",z:"inserted",e:"bg"}[role]||"cell";
      if(m&M.pending)fill="pending";
      if(m&M.contributor)fill="contributor";
      if(m&M.window)fill="window";
      if(m&M.selected)fill="selected";
      if(m&M.written)fill="written";
      if(m&M.current)fill="current";
      var edge=null;
      if(m&M.current)edge="current";else if(m&M.written)edge="written";else if(m&M.selected)edge="selected";
      else if(m&M.source)edge="source";else if((m&M.contributor)&&(m&M.window)){fill="contributor";edge="window";}
      return [fill,edge];
    }
    var EW={current:3,written:3,selected:2.5,source:2.5,window:2};

    function cellLabel(g,r,c){
      var sy=g.sy||g.ti, rr=r+g.o[0], cc=c+g.o[1];
      return g.ti+": "+sy+"["+rr+","+cc+"]";
    }

    // Draws frame f into the SVG; returns nothing. Layout mirrors CairoRender's: table columns as wide as
    // their widest grid, joiners centred in the gaps, grid titles above the cells.
    function draw(f){
      var M0=20, CMIN=38, PAD=14, GAP=46, RGAP=24, HEAD=44;
      var boxes=f.g.map(function(g){
        var w=0; g.t.forEach(function(s){if(s)w=Math.max(w,tw(s,14,true));});
        var cw=Math.max(CMIN,Math.ceil(w)+PAD), ch=CMIN;
        var bw=Math.max(cw*g.c,tw(g.ti,14),g.su?tw(g.su,14):0);
        return {g:g,cw:cw,ch:ch,bw:bw,gw:cw*g.c,gh:ch*g.r};
      });
      var rows=[], colW=[];
      boxes.forEach(function(b){var r=b.g.p[0],c=b.g.p[1];(rows[r]=rows[r]||[]).push(b);colW[c]=Math.max(colW[c]||0,b.bw);});
      var colX=[], x=M0;
      for(var c=0;c<colW.length;c++){colX[c]=x;x+=(colW[c]||0)+((colW[c]||0)>0?GAP:0);}
      var W=Math.max(x-GAP+M0,300), y=M0, out=[];
      rows.forEach(function(row){
        if(!row)return;
        var rh=0; row.forEach(function(b){rh=Math.max(rh,b.gh);});
        row.sort(function(a,b){return a.g.p[1]-b.g.p[1];});
        row.forEach(function(b){
          var g=b.g, cx=colX[g.p[1]]+colW[g.p[1]]/2, gx=cx-b.gw/2, gy=y+HEAD+(rh-b.gh)/2;
          if(g.j)out.push('<text class="jn" x="'+(colX[g.p[1]]-GAP/2)+'" y="'+(y+HEAD+rh/2+8)+'" text-anchor="middle" aria-hidden="true">'+esc(g.j)+'</text>');
          out.push('<text class="gt" x="'+cx+'" y="'+(y+16)+'" text-anchor="middle">'+esc(g.ti)+'</text>');
          if(g.su)out.push('<text class="gs" x="'+cx+'" y="'+(y+33)+'" text-anchor="middle">'+esc(g.su)+'</text>');
          out.push('<g class="grid" data-id="'+esc(ids[g.id])+'" role="group" aria-label="'+esc(g.ti+(g.su?" ("+g.su+")":""))+'">');
          var ann={}; (g.a||[]).forEach(function(a){ann[a[0]]=a[1];});
          for(var r=0;r<g.r;r++)for(var c2=0;c2<g.c;c2++){
            var i=r*g.c+c2, role=g.k?g.k[i]:"n", m=g.m?g.m[i]:0, st=cellStyle(role,m), t=g.t[i];
            var X=gx+c2*b.cw, Y=gy+r*b.ch;
            var lab=cellLabel(g,r,c2)+(t?" = "+t:" (not computed yet)")+(role==="p"?" (padding)":"");
            out.push('<g class="c" tabindex="'+(role==="e"?-1:0)+'" data-g="'+g.id+'" data-r="'+r+'" data-c="'+c2+'" aria-label="'+esc(lab)+'">');
            out.push('<rect class="f-'+st[0]+'" x="'+X+'" y="'+Y+'" width="'+b.cw+'" height="'+b.ch+'"/>');
            out.push('<rect class="gl" x="'+X+'" y="'+Y+'" width="'+b.cw+'" height="'+b.ch+'"/>');
            if(role==="p"||role==="z")out.push('<rect class="'+(role==="p"?"pb":"zb")+'" x="'+(X+4)+'" y="'+(Y+4)+'" width="'+(b.cw-8)+'" height="'+(b.ch-8)+'"/>');
            if(st[1]){var ew=EW[st[1]],ins=ew/2+1;out.push('<rect class="e-'+st[1]+'" x="'+(X+ins)+'" y="'+(Y+ins)+'" width="'+(b.cw-2*ins)+'" height="'+(b.ch-2*ins)+'"/>');}
            if(t){
              var cls=role==="p"?"pt":role==="z"?"zt":((m&(M.current|M.written))?"b":"");
              out.push('<text class="v '+cls+'" x="'+(X+b.cw/2)+'" y="'+(Y+b.ch/2+(ann[i]===undefined?5:2))+'" text-anchor="middle">'+esc(t)+'</text>');
            }
            if(ann[i]!==undefined)out.push('<text class="an" x="'+(X+b.cw-3)+'" y="'+(Y+b.ch-3)+'" text-anchor="end">'+esc(ann[i])+'</text>');
            out.push('<rect class="hl" x="'+(X+3)+'" y="'+(Y+3)+'" width="'+(b.cw-6)+'" height="'+(b.ch-6)+'"/>');
            out.push('<rect class="fo" x="'+(X+1)+'" y="'+(Y+1)+'" width="'+(b.cw-2)+'" height="'+(b.ch-2)+'"/>');
            out.push('</g>');
          }
          (f.wb||[]).forEach(function(wb){
            if(wb[0]!==g.id)return;
            out.push('<rect class="wb" x="'+(gx+wb[2]*b.cw-1.5)+'" y="'+(gy+wb[1]*b.ch-1.5)+'" width="'+(wb[4]*b.cw+3)+'" height="'+(wb[3]*b.ch+3)+'"/>');
          });
          out.push('</g>');
        });
        y+=HEAD+rh+RGAP;
      });
      var H=y-RGAP+M0, svg=$("frame");
      svg.setAttribute("viewBox","0 0 "+W+" "+H);
      svg.style.width=(W/16)+"em"; svg.style.height=(H/16)+"em";
      svg.innerHTML=out.join("");
    }

    // An equation as HTML: its text is exactly Equation.text() (the segments say where each term goes).
    function eqHTML(e,cls){
      var h='<p class="eq '+(cls||"")+'"><span class="lhs">'+esc(e.lhs)+'</span>'+esc(e.cn);
      e.seg.forEach(function(s){
        if(typeof s==="number"){
          var t=e.terms[s];
          h+='<span class="term s-'+t.s+(t.pad?" pad":"")+(t.sel?" sel":"")+'" tabindex="0" data-t="'+s+'" title="'+esc(t.ol.join(" · ")+" → "+(t.q?t.q+" ":"")+t.p)+'">'+esc(t.t)+'</span>';
        } else h+=esc(s);
      });
      h+='</p>';
      if(e.gr){
        h+='<div class="groups">';
        e.gr.forEach(function(g){
          var parts=[]; for(var i=+g[1];i<+g[2];i++)parts.push(esc(e.terms[i].t));
          h+='<p class="eq grp">'+esc(g[0])+": "+parts.join(" + ")+" "+esc(g[3]?g[4]:"=")+" "+esc(g[3]||"?")+'</p>';
        });
        h+='</div>';
      }
      return h;
    }

    function show(i,fromHash){
      cur=Math.max(0,Math.min(N-1,i));
      var f=F[cur];
      draw(f);
      $("title").textContent=f.ti;
      $("counter").textContent="step "+(cur+1)+" / "+N+" · "+f.ph+" · layer "+f.l+(f.ts?" · trace steps "+f.ts[0]+"…"+f.ts[1]:"");
      $("caption").textContent=f.ca;
      $("equation").innerHTML=(f.e?eqHTML(f.e,"main"):"")+(f.x||[]).map(function(e){return eqHTML(e,"extra");}).join("");
      $("running").textContent=f.rs||"";
      $("notes").innerHTML=(f.no||[]).map(function(n){return "<li>"+esc(n)+"</li>";}).join("");
      $("legend").innerHTML=f.lg.map(function(l){
        var s=l[0], m={window:M.window,current:M.current,source:M.source,written:M.written,pending:M.pending,done:M.done,selected:M.selected,contributor:M.contributor}[s]||0;
        var role=s==="padding"?"p":s==="inserted_zero"?"z":"n", st=cellStyle(role,m);
        return '<li><svg width="16" height="16" aria-hidden="true"><rect class="f-'+st[0]+'" x="1" y="1" width="14" height="14"/><rect class="'+(st[1]?"e-"+st[1]:"gl")+'" x="2" y="2" width="12" height="12"/></svg>'+esc(l[1])+'</li>';
      }).join("");
      $("scrubber").value=cur+1;
      $("scrubber").setAttribute("aria-valuetext","step "+(cur+1)+" of "+N);
      if(!fromHash&&location.hash!=="#step="+(cur+1)){try{history.replaceState(null,"","#step="+(cur+1));}catch(e){}}
      clearProv();
    }

    // Provenance: highlight cells of the current drawing by their grid id and (row, column).
    function mark(ref,cls){
      var el=document.querySelector('#frame .c[data-g="'+ref[0]+'"][data-r="'+ref[1]+'"][data-c="'+ref[2]+'"]');
      if(el)el.classList.add(cls);
    }
    function clearProv(){
      Array.prototype.forEach.call(document.querySelectorAll("#frame .pv-win,#frame .pv-ker,#frame .pv-tgt"),function(el){el.classList.remove("pv-win","pv-ker","pv-tgt");});
    }
    function gridOf(id){var g=null;F[cur].g.forEach(function(x){if(x.id===id)g=x;});return g;}
    function provenance(ref){
      clearProv();
      var k=key(ref), g=gridOf(ref[0]), name=g?cellLabel(g,ref[1],ref[2]):ids[ref[0]], text=$("prov-text"), eq=$("prov-eq");
      var w=writes[k];
      if(w!==undefined){
        var f=F[w], e=f.e, grad=/^grad/.test(g?g.ro:"");
        text.textContent=e.lhs+(grad?" is the sum of its "+e.terms.length+" terms":" comes from this equation")+" (step "+(w+1)+")"+(f.w?"; its window is outlined in blue, the other factors dashed orange.":".");
        eq.innerHTML=eqHTML(e,"prov");
        var win={};
        (f.w||[]).forEach(function(r){win[key(r)]=1;mark(r,"pv-win");});
        e.terms.forEach(function(t){t.r.forEach(function(r){if(!win[key(r)])mark(r,"pv-ker");});});
        mark(ref,"pv-tgt");
        return;
      }
      var rs=reads[k];
      if(rs){
        var items=rs.map(function(i){
          var e=F[i].e, via="";
          e.terms.forEach(function(t){t.r.forEach(function(r){if(key(r)===k&&!via)via=t.t+" "+(t.q||"=")+" "+t.p;});});
          mark(F[i].wr,"pv-tgt");
          return "<li>"+esc(e.lhs)+" (step "+(i+1)+"): term "+esc(via)+"</li>";
        });
        mark(ref,"pv-win");
        text.textContent=name+" feeds "+rs.length+" value"+(rs.length>1?"s":"")+" in this player (outlined dotted green):";
        eq.innerHTML="<ul>"+items.join("")+"</ul>";
        return;
      }
      text.textContent=name+": no step in this player reads or writes this cell.";
      eq.innerHTML="";
    }
    function refOf(el){var c=el&&el.closest?el.closest("#frame .c"):null;return c?[+c.dataset.g,+c.dataset.r,+c.dataset.c]:null;}
    $("frame").addEventListener("mouseover",function(ev){var r=refOf(ev.target);if(r)provenance(r);});
    $("frame").addEventListener("focusin",function(ev){var r=refOf(ev.target);if(r)provenance(r);});
    $("equation").addEventListener("mouseover",function(ev){
      var t=ev.target.closest?ev.target.closest(".term"):null; if(!t||!F[cur].e)return;
      clearProv(); F[cur].e.terms[+t.dataset.t].r.forEach(function(r){mark(r,"pv-ker");});
    });

    // Playback.
    function stop(){if(timer){clearTimeout(timer);timer=null;}$("play").textContent="▶";$("play").setAttribute("aria-label","play");}
    // Each frame stays in proportion to what it adds (its dl, percent of the speed setting).
    function tick(){timer=setTimeout(function(){if(cur>=N-1){stop();return;}show(cur+1);tick();},+$("speed").value*(F[cur].dl||100)/100);}
    function play(){
      if(timer){stop();return;}
      if(cur>=N-1)show(0);
      $("play").textContent="▮▮";$("play").setAttribute("aria-label","pause");
      tick();
    }
    $("first").onclick=function(){stop();show(0);};
    $("back").onclick=function(){stop();show(cur-1);};
    $("play").onclick=play;
    $("forward").onclick=function(){stop();show(cur+1);};
    $("last").onclick=function(){stop();show(N-1);};
    $("scrubber").max=N;
    $("scrubber").addEventListener("input",function(){stop();show(+this.value-1);});
    $("speed").addEventListener("change",function(){if(timer){stop();play();}});
    $("theme").value=document.documentElement.dataset.theme;
    $("theme").addEventListener("change",function(){document.documentElement.dataset.theme=this.value;});
    document.addEventListener("keydown",function(ev){
      var tag=ev.target.tagName, inForm=tag==="INPUT"||tag==="SELECT"||tag==="BUTTON";
      if(ev.altKey||ev.ctrlKey||ev.metaKey)return;
      if(ev.key===" "&&!inForm){ev.preventDefault();play();}
      else if(ev.key==="ArrowRight"&&tag!=="INPUT"&&tag!=="SELECT"){ev.preventDefault();stop();show(cur+1);}
      else if(ev.key==="ArrowLeft"&&tag!=="INPUT"&&tag!=="SELECT"){ev.preventDefault();stop();show(cur-1);}
      else if(ev.key==="Home"&&tag!=="INPUT"){ev.preventDefault();stop();show(0);}
      else if(ev.key==="End"&&tag!=="INPUT"){ev.preventDefault();stop();show(N-1);}
    });
    function fromHash(){var m=/step=(\d+)/.exec(location.hash);return m?Math.max(1,Math.min(N,+m[1]))-1:0;}
    window.addEventListener("hashchange",function(){var i=fromHash();if(i!==cur){stop();show(i,true);}});
    show(fromHash(),true);
    document.documentElement.dataset.ready="1";
    })();
    """#
}
